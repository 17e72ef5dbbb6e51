/* chibo service worker (chibo/home/pwa.py). Keeps only the app's static files and the
   offline page; pages and the API always go to the network and are never stored. */
"use strict";
var CACHE = "chibo-shell-{{ version }}";
var SHELL = {{ shell|safe }};
var OFFLINE = {{ offline|safe }};
var STATIC = {{ static_prefix|safe }};

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(SHELL.concat([OFFLINE])); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (keys) {
        return Promise.all(keys.filter(function (k) { return k !== CACHE; })
          .map(function (k) { return caches.delete(k); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function storable(response) {
  var control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && control.indexOf("no-store") === -1;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC) === 0) {
    // Static files: answer from the cache at once, refresh it in the background.
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        var fresh = fetch(request).then(function (response) {
          if (storable(response)) cache.put(request, response.clone());
          return response;
        });
        if (hit) { fresh.catch(function () {}); return hit; }
        return fresh;
      });
    }));
    return;
  }
  if (request.mode === "navigate") {
    // Pages: always the network (personal data is never kept); offline, the offline page.
    event.respondWith(fetch(request).catch(function () {
      return caches.match(OFFLINE);
    }));
  }
  // Everything else (htmx partials, the API): the network only.
});

self.addEventListener("message", function (event) {
  if (event.data === "chibo:logout") {
    // Nothing personal is cached, but a logout leaves no runtime cache behind either.
    caches.keys().then(function (keys) {
      keys.filter(function (k) { return k !== CACHE; }).forEach(function (k) { caches.delete(k); });
    });
  }
});
