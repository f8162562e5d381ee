// Hello KMP: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  function reveal(el) { if (el) { el.hidden = false; } }

  // "Use my current location" fills the hidden lat/lon fields of the tip form.
  var locate = document.getElementById("use-location");
  if (locate && "geolocation" in navigator) {
    reveal(locate);
    var status = document.getElementById("location-status");
    locate.addEventListener("click", function () {
      status.textContent = locate.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("lon").value = pos.coords.longitude.toFixed(6);
        status.textContent = locate.dataset.done;
      }, function () {
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  }

  // The receipt: a copy button, and a warning before leaving until "I have saved it" is ticked.
  var copy = document.getElementById("copy-receipt");
  if (copy && navigator.clipboard) {
    reveal(copy);
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.dataset.copy).then(function () {
        copy.textContent = copy.dataset.done;
      });
    });
  }
  var saved = document.getElementById("saved");
  if (saved) {
    window.addEventListener("beforeunload", function (event) {
      if (!saved.checked) { event.preventDefault(); event.returnValue = ""; }
    });
  }
})();
