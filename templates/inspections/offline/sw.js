// Gridwatch service worker (docs/workflow.md, Offline). Served at /sw.js by
// inspections.views.offline.service_worker, which fills in the hashed static URLs below.
//
// - Static files: cache-first when the name carries whitenoise's hash (it never changes under
//   that name), network-first otherwise (DEBUG serves plain names that do change).
// - Officer pages (my premises, a premises): network-first, kept for offline use; after 6 s
//   without an answer the kept copy is shown (a weak signal is worse than none).
// - Offline, a page that was never kept is drawn by the offline shell from the officer's
//   bundle (inspections/views/offline.py explains the choice).
// - Filings are never handled here but by the page (static/js/offline.js); where Background
//   Sync exists (Chromium), the outbox is also sent from here when the signal returns.
"use strict";

var VERSION = "{{ version }}";
var STATIC_CACHE = "gw-static-" + VERSION;
var PAGES_CACHE = "gw-pages";
var DATA_CACHE = "gw-data";
var PRECACHE = {{ precache|safe }};
var PREMISES = "{{ premises_prefix|escapejs }}";
var OUTBOX = "{{ outbox|escapejs }}";
var SHELL = "{{ shell|escapejs }}";
var STATIC = "{{ static_prefix|escapejs }}";
var FIELD_PAGE = new RegExp("^" + PREMISES + "(\\d+/)?$");
var INSPECT_PAGE = new RegExp("^" + PREMISES + "\\d+/inspect/$");
var HASHED = /\.[0-9a-f]{12}\.[a-z0-9]+$/;
var MAX_PAGES = 300;
var NETWORK_WAIT_MS = 6000;

importScripts("{{ outbox_script|escapejs }}");

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      return cache.addAll(PRECACHE);
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("gw-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function kept(request, options) {
  return caches.match(request, options).then(function (response) {
    if (!response) throw new Error("not kept");
    return response;
  });
}

function staticFile(event) {
  var request = event.request;
  var path = new URL(request.url).pathname;
  if (HASHED.test(path)) {
    return kept(request, {ignoreSearch: true}).catch(function () {
      return fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          event.waitUntil(caches.open(STATIC_CACHE).then(function (c) { return c.put(request, copy); }));
        }
        return response;
      });
    });
  }
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      event.waitUntil(caches.open(STATIC_CACHE).then(function (c) { return c.put(request, copy); }));
    }
    return response;
  }).catch(function () { return kept(request, {ignoreSearch: true}); });
}

function trim(cache) {
  return cache.keys().then(function (keys) {
    return Promise.all(keys.slice(0, Math.max(0, keys.length - MAX_PAGES)).map(function (key) {
      return cache.delete(key);
    }));
  });
}

function shell() {
  return caches.open(DATA_CACHE).then(function (cache) { return cache.match(SHELL); });
}

function offlinePage(request, path) {
  return caches.open(PAGES_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      // A search or page 2 of my premises that was never kept: the first page is close enough.
      return hit || (FIELD_PAGE.test(path) ? cache.match(PREMISES) : undefined);
    });
  }).then(function (hit) {
    return hit || shell();
  }).then(function (hit) {
    return hit || Response.error();
  });
}

function fieldPage(event, path) {
  var request = event.request;
  var keep = FIELD_PAGE.test(path);
  var network = fetch(request).then(function (response) {
    // Only the officer's own page as the server drew it: not a redirect to the login page.
    if (keep && response.status === 200 && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(caches.open(PAGES_CACHE).then(function (cache) {
        return cache.put(request, copy).then(function () { return trim(cache); });
      }));
    }
    return response;
  });
  var slow = new Promise(function (resolve) {
    setTimeout(function () {
      offlinePage(request, path).then(function (response) {
        if (response.type !== "error") resolve(response);
      });
    }, NETWORK_WAIT_MS);
  });
  return Promise.race([
    network.catch(function () { return offlinePage(request, path); }),
    slow,
  ]);
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // filings go to the server as they are
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC) === 0) {
    event.respondWith(staticFile(event));
  } else if (request.mode === "navigate" && (
    FIELD_PAGE.test(url.pathname) || INSPECT_PAGE.test(url.pathname) || url.pathname === OUTBOX
  )) {
    event.respondWith(fieldPage(event, url.pathname));
  }
});

// Background Sync (Chromium only): send the outbox when the signal returns, even with the app
// closed. While a page of the app is on screen, that page sends (it shows the outcome at once)
// and this only asks it to. Safari has no such event; there the page sends on load, on
// "online" and on "send now".
function notify(type) {
  return self.clients.matchAll({type: "window"}).then(function (clients) {
    clients.forEach(function (client) { client.postMessage({type: type}); });
    return clients;
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag !== self.GridwatchOutbox.SYNC_TAG) return;
  event.waitUntil(self.clients.matchAll({type: "window"}).then(function (clients) {
    var onScreen = clients.some(function (client) { return client.visibilityState === "visible"; });
    if (onScreen) return notify("outbox-sync");
    return self.GridwatchOutbox.syncFromWorker().then(function (result) {
      return notify("outbox-changed").then(function () {
        // A network failure rejects, so the browser tries again later with its own backoff.
        if (result && result.retry) throw new Error("outbox: will retry");
      });
    });
  }));
});
