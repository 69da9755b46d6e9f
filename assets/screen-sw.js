/* Community Cockpit — the wall screen's service worker (registered by screen.js with
 * scope /screen/).
 *
 * Why: a kiosk that reboots while the server (or the network to it) is down would
 * otherwise show the browser's "can't reach this site" page, and the figures the page
 * keeps in localStorage would never be read. So this worker keeps a copy of the screen
 * page and its files, and hands them out only when the network fails.
 *
 * Network first, always: while the server answers, every load goes to it (revalidating
 * with its ETag as before), so an upgrade is never hidden behind an old copy. The
 * figures themselves never pass through here: the WebSocket and /api/ are untouched. */
'use strict';

const CACHE = 'cockpit-screen-v1';
/** The files every screen page loads (served with no-cache + ETag by the server). */
const FILES = ['/assets/screen.css', '/assets/common.js', '/assets/screen.js', '/assets/favicon.svg'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(FILES))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
      await self.clients.claim();
      // The page that registered us loaded before we existed: keep a copy of it now,
      // so the very first visit already survives a reboot.
      const cache = await caches.open(CACHE);
      for (const client of await self.clients.matchAll({ type: 'window', includeUncontrolled: true })) {
        const url = new URL(client.url);
        if (url.pathname.startsWith('/screen/')) await cache.add(url.pathname).catch(() => {});
      }
    })(),
  );
});

/** A copy is kept per path: the query (?lang=, ?token=) does not change the page's bytes. */
function key(request) {
  return new URL(request.url).pathname;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const path = new URL(req.url).pathname;
  const ours = req.method === 'GET' && (req.mode === 'navigate' ? path.startsWith('/screen/') : FILES.includes(path));
  if (!ours) return; // the browser fetches it as usual
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const res = await fetch(req);
        // Keep only good answers: a 404 (a unit that was removed) must not replace the page.
        if (res.ok) event.waitUntil(cache.put(key(req), res.clone()));
        return res;
      } catch (e) {
        const copy = await cache.match(key(req));
        if (copy) return copy;
        throw e;
      }
    })(),
  );
});
