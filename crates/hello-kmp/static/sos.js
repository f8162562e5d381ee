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

  // The control room's board: each alert that comes in or changes, on any server, arrives as
  // its card (rendered by the server, the same as on the page) and takes its place in the
  // column of its status. A dropped connection is retried by the browser from the last card
  // it got; a session that ended says so.
  var board = document.getElementById("sos-board");
  if (board && window.EventSource && document.createElement("template").content) {
    var live = document.getElementById("sos-live");
    var bangla = board.dataset.lang === "bn";
    var source = new EventSource(board.dataset.events + "?since=" + encodeURIComponent(board.dataset.since));
    var say = function (text) { if (live) { live.textContent = text; } };
    var digits = function (n) {
      var text = String(n);
      return bangla ? text.replace(/[0-9]/g, function (d) { return "\u09e6\u09e7\u09e8\u09e9\u09ea\u09eb\u09ec\u09ed\u09ee\u09ef".charAt(+d); }) : text;
    };
    var recount = function () {
      Array.prototype.forEach.call(board.querySelectorAll(".sos-list"), function (list) {
        var count = document.getElementById(list.id.replace("sos-list-", "sos-count-"));
        if (count) { count.textContent = digits(list.children.length); }
      });
    };
    source.addEventListener("open", function () { say(live.dataset.on); });
    source.addEventListener("alert", function (event) {
      var holder = document.createElement("template");
      holder.innerHTML = event.data;
      var card = holder.content.firstElementChild;
      if (!card || !card.id) { return; }
      var list = document.getElementById("sos-list-" + card.dataset.status);
      if (!list) { return; }
      var old = document.getElementById(card.id);
      var isNew = !old;
      if (old) { old.parentNode.removeChild(old); }
      list.insertBefore(card, list.firstChild);
      recount();
      if (isNew && card.dataset.status === "new") {
        say(board.dataset.newAlert + ": " + card.dataset.reference);
      }
    });
    source.addEventListener("end", function () {
      source.close();
      say(live.dataset.ended);
    });
    source.addEventListener("error", function () {
      say(source.readyState === EventSource.CLOSED ? live.dataset.off : live.dataset.retrying);
    });
  }
})();
