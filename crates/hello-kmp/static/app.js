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

  // "My nearest thana" on the contacts page: the point goes in the body of a POST, never in an
  // address, and the page answers with the thana. Without this script the button stays hidden.
  var nearest = document.getElementById("nearest");
  if (nearest && "geolocation" in navigator) {
    reveal(nearest);
    var nearestStatus = document.getElementById("nearest-status");
    nearest.addEventListener("click", function () {
      nearest.disabled = true;
      nearestStatus.textContent = nearest.dataset.busy;
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("nearest-lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("nearest-lon").value = pos.coords.longitude.toFixed(6);
        nearest.form.submit();
      }, function () {
        nearest.disabled = false;
        nearestStatus.textContent = nearest.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
  }

  // Switching language on a half-written tip or message keeps what was typed: it is held in
  // this tab's session storage for the one page load that follows, then removed. The token,
  // the uploads and files are not carried: the page in the other language makes its own.
  var typed = document.getElementById("tip-form") || document.getElementById("message-form");
  var CARRY = "kmp-carry";
  var carried = null;
  if (window.sessionStorage) {
    carried = sessionStorage.getItem(CARRY);
    sessionStorage.removeItem(CARRY);
  }
  if (typed && window.sessionStorage) {
    if (carried) {
      try {
        var values = JSON.parse(carried);
        Array.prototype.forEach.call(typed.elements, function (el) {
          if (!(el.name in values)) { return; }
          if (el.type === "checkbox" || el.type === "radio") { el.checked = values[el.name] === el.value; }
          else { el.value = values[el.name]; }
        });
      } catch (e) { /* a damaged copy is dropped */ }
    }
    Array.prototype.forEach.call(document.querySelectorAll(".lang-switch"), function (link) {
      link.addEventListener("click", function () {
        var values = {};
        Array.prototype.forEach.call(typed.elements, function (el) {
          if (!el.name || el.type === "file" || el.name === "form_token" || el.name === "upload" ||
              el.name === "receipt") { return; }
          if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
          if (el.value) { values[el.name] = el.value; }
        });
        if (Object.keys(values).length) { sessionStorage.setItem(CARRY, JSON.stringify(values)); }
      });
    });
  }

  // A refused form or a sent tip: the focus starts at what the page came to say (the reason,
  // or the receipt), so a keyboard or screen-reader user does not begin again at the top.
  var news = document.getElementById("form-error") || document.getElementById("receipt-label");
  if (news) { news.tabIndex = -1; news.focus(); }

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
  // Photos chosen on the tip or follow-up form are shrunk on the phone (longest side 2,048 px)
  // before they are sent: far less to send on a poor connection. Drawing them again also
  // leaves their hidden details behind; the server removes those in any case.
  var files = document.getElementById("files");
  if (files && window.DataTransfer && window.createImageBitmap &&
      HTMLCanvasElement.prototype.toBlob) {
    var filesStatus = document.getElementById("files-status");
    var send = files.form && files.form.querySelector("button[type=submit]");
    var batch = 0;
    files.addEventListener("change", function () {
      // Only the latest choice counts: a slower, earlier batch must not overwrite it.
      var mine = ++batch;
      var chosen = Array.prototype.slice.call(files.files);
      if (!chosen.some(function (f) { return /^image\//.test(f.type); })) {
        var plain = new DataTransfer();
        chosen.forEach(function (f) { plain.items.add(renamed(f)); });
        files.files = plain.files;
        filesStatus.textContent = "";
        if (send) { send.disabled = false; }
        return;
      }
      if (send) { send.disabled = true; }
      filesStatus.textContent = files.dataset.busy;
      Promise.all(chosen.map(shrink)).then(function (ready) {
        if (mine !== batch) { return; }
        var list = new DataTransfer();
        ready.forEach(function (f) { list.items.add(f); });
        files.files = list.files;
        filesStatus.textContent = files.dataset.done;
        if (send) { send.disabled = false; }
      });
    });
  }

  // With JavaScript, the chosen files are sent before the form, one at a time and a piece at a
  // time, each with a progress bar; a dropped connection is retried and the file carries on
  // from where the server stopped. The form then names the finished uploads instead of
  // carrying the files. A file the server refuses is left out, and the sender decides.
  var form = files && files.form;
  var uploadList = document.getElementById("upload-list");
  if (form && uploadList && window.fetch && window.XMLHttpRequest && window.JSON &&
      window.Promise && Blob.prototype.slice) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) { event.preventDefault(); return; }
      if (!files.files || !files.files.length) { return; }
      event.preventDefault();
      sending = true;
      var submit = form.querySelector("button[type=submit]");
      if (submit) { submit.disabled = true; }
      var status = document.getElementById("files-status");
      status.textContent = "";
      uploadList.hidden = false;
      uploadList.textContent = "";
      var rows = Array.prototype.slice.call(files.files).map(function (file, i) {
        var item = document.createElement("li");
        var label = document.createElement("span");
        var bar = document.createElement("progress");
        label.textContent = (i + 1) + ". " + files.dataset.sending;
        bar.max = Math.max(file.size, 1);
        bar.value = 0;
        bar.setAttribute("aria-label", (i + 1) + ". " + files.dataset.sending);
        item.appendChild(label);
        item.appendChild(bar);
        uploadList.appendChild(item);
        return { file: file, number: i + 1, item: item, label: label, bar: bar };
      });
      var failed = 0;
      rows.reduce(function (chain, row) {
        return chain.then(function () {
          return sendFile(row).then(function (id) {
            var named = document.createElement("input");
            named.type = "hidden";
            named.name = "upload";
            named.value = id;
            form.appendChild(named);
            row.bar.value = row.bar.max;
            row.label.textContent = row.number + ". " + files.dataset.sent;
          }, function (message) {
            failed += 1;
            row.item.className = "failed";
            row.bar.hidden = true;
            row.label.textContent = row.number + ". " + files.dataset.failed + " " + message;
          });
        });
      }, Promise.resolve()).then(function () {
        // Sent files now travel as `upload` fields; none goes twice.
        if (window.DataTransfer) { files.files = new DataTransfer().files; } else { files.value = ""; }
        sending = false;
        if (failed) {
          status.textContent = files.dataset.leftOut;
          if (submit) { submit.disabled = false; }
          delete form.dataset.sent;
          return;
        }
        form.submit();
      });
    });
  }

  function pick(answer) {
    var error = answer.body && answer.body.error;
    if (!error) { return ""; }
    return files.dataset.lang === "en" ? error.message_en : error.message_bn;
  }

  // One request; answers { status, body } and never fails (status 0: no connection).
  function call(method, url, body, headers, progress) {
    return new Promise(function (done) {
      var xhr = new XMLHttpRequest();
      xhr.open(method, url);
      Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
      if (progress && xhr.upload) {
        xhr.upload.onprogress = function (e) { progress(e.loaded); };
      }
      xhr.onload = function () {
        var parsed = null;
        try { parsed = JSON.parse(xhr.responseText); } catch (e) { parsed = null; }
        done({ status: xhr.status, body: parsed });
      };
      xhr.onerror = xhr.ontimeout = function () { done({ status: 0, body: null }); };
      xhr.send(body);
    });
  }

  function later(ms) { return new Promise(function (done) { window.setTimeout(done, ms); }); }

  // A connection that dropped or a server that is busy is tried again, waiting longer each
  // time (up to half a minute); a refusal ends the file with the server's message.
  function retrying(row, attempt) {
    row.label.textContent = row.number + ". " + files.dataset.retrying;
    return later(Math.min(30000, 1000 * Math.pow(2, attempt)));
  }

  function transient(status) { return status === 0 || status === 429 || status >= 500; }

  function sendFile(row) {
    var attempt = 0;
    var open = function () {
      return call("POST", "/api/v1/uploads", JSON.stringify({ size: row.file.size }),
        { "Content-Type": "application/json" }).then(function (answer) {
        if (answer.status === 201) { return piece(answer.body.id, answer.body.piece_max, 0); }
        if (transient(answer.status)) { return retrying(row, attempt++).then(open); }
        return Promise.reject(pick(answer));
      });
    };
    var piece = function (id, max, offset) {
      if (offset >= row.file.size) { return Promise.resolve(id); }
      var end = Math.min(row.file.size, offset + max);
      return call("PATCH", "/api/v1/uploads/" + id, row.file.slice(offset, end),
        { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
        function (sent) { row.bar.value = offset + sent; }).then(function (answer) {
        if (answer.status === 200 || answer.status === 409) {
          attempt = 0;
          row.label.textContent = row.number + ". " + files.dataset.sending;
          return piece(id, max, answer.body.received);
        }
        if (transient(answer.status)) {
          // Where the server got to, once the connection is back.
          return retrying(row, attempt++).then(function () {
            return call("GET", "/api/v1/uploads/" + id, null, {});
          }).then(function (where) {
            return piece(id, max, where.status === 200 ? where.body.received : offset);
          });
        }
        return Promise.reject(pick(answer));
      });
    };
    return open();
  }

  function shrink(file) {
    var longest = 2048;
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) { return Promise.resolve(renamed(file)); }
    return createImageBitmap(file).then(function (bitmap) {
      var side = Math.max(bitmap.width, bitmap.height);
      if (side <= longest) { bitmap.close(); return renamed(file); }
      var scale = longest / side;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      var context = canvas.getContext("2d");
      // A JPEG has no transparency: what was transparent becomes white, not black.
      context.fillStyle = "#fff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (done) {
        canvas.toBlob(function (blob) {
          // The phone's own file name (often a date and time) is not sent.
          done(blob ? new File([blob], "photo.jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return renamed(file); });
  }

  // A phone names files after the moment they were made; they are sent under a plain name.
  function renamed(file) {
    var dot = file.name.lastIndexOf(".");
    var ending = dot > 0 ? file.name.slice(dot).toLowerCase().replace(/[^.a-z0-9]/g, "") : "";
    return new File([file], "file" + ending, { type: file.type });
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

  // The installable app: on citizen pages (those that link the manifest) a service worker keeps
  // the app shell and the public pages on the phone for use without a connection (sw.js).
  if ("serviceWorker" in navigator && document.querySelector("link[rel=manifest]")) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }

  // A tip that cannot be sent for want of a connection waits on the phone as a draft, in
  // IndexedDB under its form's token (sw.js keeps one the same way when a sent form fails on the
  // way), until it can be sent: when the phone is connected again, on the next visit, or with
  // "Send it now". It goes with that same token, so a tip that did arrive (its answer lost) is
  // not made twice and its receipt is shown again, and it is deleted only once the server has
  // answered. It goes nowhere but to this server. Files are not kept in a draft.
  // Limitation: no Background Sync: a draft is sent only from an open page, because its receipt
  // must be shown to the tipster and is never stored on the phone.
  // Limitation: files are not kept in a draft (the notice says to add them on the follow-up page),
  // and the server shows a resent tip's receipt again only within a day of the first send, so a
  // draft whose first answer was lost and that waits longer gets the "already sent" page.
  var draftNotice = document.getElementById("draft-notice");
  if (draftNotice && window.indexedDB && window.fetch && window.FormData && window.Promise &&
      window.crypto && crypto.getRandomValues) {
    offlineDrafts(draftNotice);
  }

  function offlineDrafts(template) {
    var tipForm = document.getElementById("tip-form");
    var receiptShown = !!document.getElementById("receipt-ascii");
    var box = null;
    var sending = false;
    var wait = 15000;
    var timer = null;

    // Every form shown gets a token of its own: a form kept on the phone by the service worker
    // would otherwise give the same one to every tip written on it.
    if (tipForm && tipForm.elements.form_token) { tipForm.elements.form_token.value = token(); }

    function token() {
      var bytes = new Uint8Array(16);
      crypto.getRandomValues(bytes);
      return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? "0" : "") + b.toString(16); }).join("");
    }

    // One transaction on the drafts store; answers the request's result.
    function store(mode, work) {
      return new Promise(function (done, fail) {
        var open = indexedDB.open("hello-kmp", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("drafts", { keyPath: "token" }); };
        open.onerror = function () { fail(open.error); };
        open.onsuccess = function () {
          var db = open.result;
          var tx = db.transaction("drafts", mode);
          var request = work(tx.objectStore("drafts"));
          tx.oncomplete = function () { db.close(); done(request.result); };
          tx.onerror = tx.onabort = function () { db.close(); fail(tx.error); };
        };
      });
    }
    function waiting() {
      return store("readonly", function (s) { return s.getAll(); }).then(function (list) {
        return (list || []).sort(function (a, b) { return a.saved - b.saved; });
      });
    }
    function keep(draft) { return store("readwrite", function (s) { return s.put(draft); }); }
    function forget(key) { return store("readwrite", function (s) { return s.delete(key); }); }
    function forgetAll() { return store("readwrite", function (s) { return s.clear(); }); }

    function showNotice(state) {
      if (!box) {
        box = template.content.firstElementChild.cloneNode(true);
        var heading = document.querySelector("main h1");
        if (heading) { heading.insertAdjacentElement("afterend", box); } else { document.getElementById("main").prepend(box); }
        box.querySelector("[data-draft=send]").addEventListener("click", sendOldest);
        box.querySelector("[data-draft=delete]").addEventListener("click", function () {
          forgetAll().then(function () { say("deleted"); box.querySelectorAll("button").forEach(function (b) { b.hidden = true; }); });
        });
      }
      box.querySelectorAll("button").forEach(function (b) { b.hidden = false; });
      say(state);
      return box;
    }
    function say(state) {
      var line = box.querySelector(".draft-status");
      line.textContent = state ? line.dataset[state] : "";
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(sendOldest, wait);
      wait = Math.min(wait * 2, 300000);
    }

    // The oldest draft goes first; the server's answer replaces the page: the receipt, the
    // same receipt again for a tip that had arrived, or the form with the reason it was refused.
    function sendOldest() {
      if (sending) { return; }
      waiting().then(function (list) {
        if (!list.length) { if (box) { box.remove(); box = null; } return; }
        sending = true;
        showNotice("sending");
        var draft = list[0];
        var body = new FormData();
        draft.fields.forEach(function (field) { body.append(field[0], field[1]); });
        return fetch("/tips", { method: "POST", body: body, credentials: "same-origin", cache: "no-store" })
          .then(function (answer) {
            return answer.text().then(function (page) {
              var kept = answer.status === 200 || (answer.status < 500 && answer.status !== 429 &&
                page.indexOf('id="tip-form"') >= 0);
              if (!kept) { throw new Error("busy"); }
              // A draft that could not be deleted is sent again later, and its token makes that
              // harmless.
              return forget(draft.token).catch(function () {}).then(function () { replacePage(page); });
            });
          })
          .catch(function (err) {
            sending = false;
            showNotice(err && err.message === "busy" ? "busy" : "waiting");
            later();
          });
      }).catch(function () { sending = false; });
    }

    function replacePage(html) {
      document.open();
      document.write(html);
      document.close();
    }

    // The tip form sent with no connection: kept, the form emptied for another tip.
    if (tipForm) {
      document.addEventListener("submit", function (event) {
        if (event.target !== tipForm || navigator.onLine !== false) { return; }
        event.preventDefault();
        event.stopImmediatePropagation();
        var draft = { token: tipForm.elements.form_token.value, fields: [], saved: Date.now() };
        new FormData(tipForm).forEach(function (value, name) {
          if (typeof value === "string" && name !== "upload") { draft.fields.push([name, value]); }
        });
        keep(draft).then(function () {
          draft.fields.forEach(function (field) {
            var el = tipForm.elements[field[0]];
            if (el && field[0] !== "form_token") { el.value = ""; }
          });
          var files = document.getElementById("files");
          if (files) { files.value = ""; }
          var located = document.getElementById("location-status");
          if (located) { located.textContent = ""; }
          tipForm.elements.form_token.value = token();
          showNotice("saved").querySelector("h2").focus();
        }, function () { tipForm.submit(); });
      }, true);
    }

    // The receipt page is left alone: its receipt must be read before anything replaces it.
    if (receiptShown) { return; }
    window.addEventListener("online", function () { wait = 15000; sendOldest(); });
    waiting().then(function (list) {
      if (!list.length) { return; }
      if (navigator.onLine === false) { showNotice("waiting"); } else { sendOldest(); }
    }).catch(function () {});
  }
})();
