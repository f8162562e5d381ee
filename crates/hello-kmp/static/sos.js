// Hello KMP, SOS: one tap sends the phone's location (the citizen's page), and the control room's
// board updates itself live. Both pages work without this file: the citizen is told to call 999
// and may write where they are; the board shows what was there when it was loaded.
(function () {
  "use strict";

  // The citizen's page: read the location, put it in the form, send the form. The page that
  // comes back says "sent" only once the server has stored the alert.
  var form = document.getElementById("sos-form");
  var send = document.getElementById("sos-send");
  if (form && send && "geolocation" in navigator) {
    var status = document.getElementById("sos-status");
    var needsJs = document.getElementById("sos-needs-js");
    var busy = false;
    send.hidden = false;
    if (needsJs) { needsJs.hidden = true; }
    send.addEventListener("click", function () {
      if (busy) { return; }
      busy = true;
      send.disabled = true;
      status.textContent = send.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("accuracy").value = String(Math.round(pos.coords.accuracy || 0));
        status.textContent = send.dataset.sending;
        form.submit();
      }, function () {
        // Denied, unavailable or too slow: call 999, or write the place.
        busy = false;
        send.disabled = false;
        status.textContent = send.dataset.failed;
        var place = document.getElementById("place");
        if (place) { place.focus(); }
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
})();
