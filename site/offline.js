// The offline copy: a service worker that keeps every file a visit that started loaded (the site, Pyodide and
// numpy) and answers later visits from that copy, so thirty laptops on one access point download them once
// each, and a page opened with no network at all still starts and trains. A new build has a new cache name
// (build.py writes it in place of the marker below) and replaces the old copy when it takes over.
const CACHE = "gradcanvas-__BUILD__";
const PYODIDE_CDN = "https://cdn.jsdelivr.net/pyodide/";  // where the deployed site's Pyodide and numpy come from

const kept = (url) => url.startsWith(self.registration.scope) || url.startsWith(PYODIDE_CDN);
const withoutFragment = (url) => url.split("#")[0];

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) {
    if (name.startsWith("gradcanvas-") && name !== CACHE) await caches.delete(name);
  }
  await self.clients.claim();
})()));

// The page, once it has started, sends the files it loaded before this worker was there to see them.
self.addEventListener("message", (event) => {
  const urls = event.data?.keep;
  if (!Array.isArray(urls)) return;
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await Promise.all(urls.filter(kept).map(withoutFragment).map(async (url) => {
      if (await cache.match(url)) return;
      const response = await fetch(url);
      if (response.ok) await cache.put(url, response);
    }));
    event.source?.postMessage({ kept: true });
  })());
});

// Answer from the copy when it has the file (each build's files are its own, and Pyodide's are versioned), and
// keep what comes from the network: a later visit needs nothing but this browser.
self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || !kept(request.url)) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const url = withoutFragment(request.url);
    const copy = await cache.match(url);
    if (copy) return copy;
    const response = await fetch(request);
    if (response.ok) await cache.put(url, response.clone());
    return response;
  })());
});
