// Hello KMP's service worker. It keeps the app shell and a few public pages on the phone so that
// they open without a connection (999 first of all), keeps an unsent tip as a draft when sending
// it fails for want of a connection, and keeps nothing personal.
//
// The server writes the line `var SHELL = {...}` above this file (web/pwa.rs): the cache's
// version, the fingerprinted files, the pages to keep and the page shown offline instead of one
// that was not kept.
/* global SHELL */
"use strict";

var CACHE = "hello-kmp-" + SHELL.version;
// A page that has not answered after this long is shown from the phone, if it was kept.
var SLOW_MS = 6000;

// Limitation: a page is kept in the language it was last opened in with a connection (the
// reader's choice is a cookie the worker cannot see), so a reader who switches language offline
// still sees the kept pages in the other one.

// Only these addresses are ever written to the cache. Everything else (the follow-up and its
// status page, receipts, the console, the API, and every answer to a POST) goes to the server
// and back untouched.
function isAsset(path) { return SHELL.assets.indexOf(path) >= 0; }
function isKeptPage(path) { return SHELL.pages.indexOf(path) >= 0; }

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(SHELL.assets.concat(SHELL.pages).map(function (path) {
      // A page that does not exist (yet) answers 404 and is skipped; so is one that fails.
      return fetch(path, { credentials: "same-origin" }).then(function (response) {
        if (keepable(response)) { return cache.put(path, response); }
      }).catch(function () {});
    }));
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("hello-kmp-") === 0 && name !== CACHE;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && request.mode === "navigate" && url.pathname === "/tips") {
    event.respondWith(sendTip(request));
    return;
  }
  if (request.method !== "GET") { return; }
  if (isAsset(url.pathname)) {
    event.respondWith(cacheFirst(event, url.pathname));
  } else if (isKeptPage(url.pathname)) {
    event.respondWith(networkFirst(event, url.pathname));
  } else if (request.mode === "navigate" && url.pathname.indexOf("/console") !== 0) {
    event.respondWith(fetch(request).catch(function () { return fromCache(SHELL.fallback); })
      .then(function (response) { return response || Response.error(); }));
  }
});

// Only a plain, complete answer of our own is kept: no error, no redirect.
function keepable(response) {
  return response && response.status === 200 && response.type === "basic" && !response.redirected;
}

function fromCache(path) {
  return caches.open(CACHE).then(function (cache) { return cache.match(path, { ignoreVary: true }); });
}

function cacheFirst(event, path) {
  return fromCache(path).then(function (kept) {
    if (kept) { return kept; }
    return fetch(event.request).then(function (response) {
      if (!keepable(response)) { return response; }
      var copy = response.clone();
      return caches.open(CACHE).then(function (cache) { return cache.put(path, copy); })
        .catch(function () {}).then(function () { return response; });
    });
  });
}

// The server's page when it answers (and a fresh copy kept); the kept one when there is no
// connection, or when the server is slow and a copy was kept.
function networkFirst(event, path) {
  var network = fetch(event.request).then(function (response) {
    if (!keepable(response)) { return response; }
    var copy = response.clone();
    return caches.open(CACHE).then(function (cache) { return cache.put(path, copy); })
      .catch(function () {}).then(function () { return response; });
  });
  event.waitUntil(network.catch(function () {}));
  var slow = new Promise(function (done) { setTimeout(done, SLOW_MS); }).then(function () {
    return fromCache(path).then(function (kept) { return kept || network; });
  });
  return Promise.race([network, slow]).catch(function () {
    return fromCache(path).then(function (kept) { return kept || fromCache(SHELL.fallback); })
      .then(function (response) { return response || Response.error(); });
  });
}

// The tip form sent without the page's script noticing the connection was down (or lost while
// sending): what was typed is kept as a draft on the phone, under the form's token, and the
// form is shown again with the draft's notice. The page sends the draft later with the same
// token, so a tip that did reach the server is not made twice (see app.js).
function sendTip(request) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.formData().then(keepDraft).then(function () {
      return Response.redirect(new URL("/tips/new", self.location.href).href, 303);
    }).catch(function () { return Response.error(); });
  });
}

// Drafts live in IndexedDB ("hello-kmp", store "drafts", keyed by the form's token); app.js
// opens the same store. Files are not kept in a draft.
function keepDraft(form) {
  var draft = { token: "", fields: [], saved: Date.now() };
  form.forEach(function (value, name) {
    if (typeof value !== "string" || name === "upload") { return; }
    if (name === "form_token") { draft.token = value; }
    draft.fields.push([name, value]);
  });
  if (!draft.token) { return Promise.reject(new Error("a form without a token")); }
  return new Promise(function (done, fail) {
    var open = indexedDB.open("hello-kmp", 1);
    open.onupgradeneeded = function () { open.result.createObjectStore("drafts", { keyPath: "token" }); };
    open.onerror = function () { fail(open.error); };
    open.onsuccess = function () {
      var db = open.result;
      var tx = db.transaction("drafts", "readwrite");
      tx.objectStore("drafts").put(draft);
      tx.oncomplete = function () { db.close(); done(); };
      tx.onerror = tx.onabort = function () { db.close(); fail(tx.error); };
    };
  });
}
