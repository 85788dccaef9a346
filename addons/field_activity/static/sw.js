/* Service worker of the field_activity phone pages (no CDN: every asset comes from this server).
 * Today's route page is network-first (a fresh route when online, the cached one offline);
 * the CSS/JS assets are cache-first. POSTs (the sync) are never cached nor answered here. */
"use strict";
const CACHE = "tixi-field-activity-v2";
const ASSETS = __ASSETS__;
const TODAY = __TODAY__;
const PAGES = __PAGES__; // today's route and the forms that queue offline: network-first, cached for offline

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS.concat(PAGES))).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("tixi-field-activity-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (PAGES.indexOf(url.pathname) >= 0) {
    const page = url.pathname;
    event.respondWith(
      fetch(req).then((resp) => {
        if (resp.ok && !resp.redirected) {
          const copy = resp.clone();
          caches.open(CACHE).then((c) => c.put(page, copy));
        }
        return resp;
      }).catch(() => caches.match(page))
    );
    return;
  }
  if (ASSETS.indexOf(url.pathname + url.search) >= 0 || ASSETS.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.match(req, {ignoreSearch: false}).then((hit) => hit || caches.match(url.pathname)).then((hit) => hit || fetch(req)));
  }
});
