/*
 * Checkround web form's service worker: the form opens without a connection after a first
 * visit. Served at the function's root (sw.js), so its scope is every page of the web form.
 *
 * - Pages (navigations): from the network, a copy kept for later; without a connection, the
 *   copy (the page's script then puts back what was typed, and keeps a report sent meanwhile
 *   until the connection returns: outbox.js).
 * - The page's own files (assets/…?v=<digest>): from the cache once fetched; their names change
 *   with their content, so a kept copy is never stale.
 * - Posts are never touched: the page's script decides what to do when one cannot be sent.
 * A page asks for itself and its files to be kept (a message), since the first visit happens
 * before this worker controls it.
 */
"use strict";

var CACHE = "checkround-web-form-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("checkround-web-form-") === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

function isAsset(url) {
  return url.pathname.indexOf("/assets/") >= 0;
}

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) {
      cache.put(request, copy);
    });
  }
  return response;
}

self.addEventListener("message", function (event) {
  var urls = (event.data && event.data.keep) || [];
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return Promise.all(
        urls.map(function (url) {
          return fetch(url, { credentials: "same-origin" })
            .then(function (response) {
              if (response.ok) {
                return cache.put(url, response);
              }
              return undefined;
            })
            .catch(function () {
              return undefined;
            });
        })
      );
    })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (isAsset(url)) {
    event.respondWith(
      caches.match(request).then(function (kept) {
        return (
          kept ||
          fetch(request).then(function (response) {
            return keep(request, response);
          })
        );
      })
    );
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then(function (response) {
          return keep(request, response);
        })
        .catch(function () {
          return caches.match(request).then(function (kept) {
            return kept || caches.match(request, { ignoreSearch: true }).then(function (any) {
              return any || Response.error();
            });
          });
        })
    );
  }
});
