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
  // The console's queue from the keyboard: j/k move, Enter opens, / filters, m shows my work.
  var queue = document.getElementById("queue");
  if (queue) {
    var links = queue.querySelectorAll("a.tip-link");
    var at = -1;
    var move = function (step) {
      if (!links.length) { return; }
      at = Math.max(0, Math.min(links.length - 1, at + step));
      links[at].focus();
    };
    document.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey ||
          /^(INPUT|SELECT|TEXTAREA)$/.test(t.tagName)) { return; }
      if (event.key === "j") { move(1); }
      else if (event.key === "k") { move(-1); }
      else if (event.key === "/") {
        var first = document.querySelector("#filters select");
        if (first) { event.preventDefault(); first.focus(); }
      } else if (event.key === "m") { window.location.href = "/console?mine=1"; }
    });
  }

  // A form sent once is not sent again by a second click while the page loads (the server
  // answers the first); the clicked button's name and value still go with it.
  Array.prototype.forEach.call(document.querySelectorAll("form[method=post]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      window.setTimeout(function () { delete form.dataset.sent; }, 10000);
    });
  });

  var saved = document.getElementById("saved");
  if (saved) {
    window.addEventListener("beforeunload", function (event) {
      if (!saved.checked) { event.preventDefault(); event.returnValue = ""; }
    });
  }
})();
