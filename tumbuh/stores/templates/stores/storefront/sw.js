// Tumbuh storefront service worker (scope /toko/): network first; the last visited pages and
// their thumbnails stay readable offline. Orders (POST) always go to the network.
const CACHE = "tumbuh-toko-v1";
const KEEP = 40;

self.addEventListener("install", (event) => self.skipWaiting());
self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((k) => k.startsWith("tumbuh-toko-") && k !== CACHE).map((k) => caches.delete(k)))
    ).then(() => self.clients.claim())
  );
});

async function remember(request, response) {
  const cache = await caches.open(CACHE);
  await cache.put(request, response);
  const keys = await cache.keys();
  for (const old of keys.slice(0, Math.max(0, keys.length - KEEP))) await cache.delete(old);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const page = request.mode === "navigate" && url.pathname.startsWith("/toko/");
  const picture = url.pathname.startsWith("/media/stores/");
  if (!page && !picture) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) event.waitUntil(remember(request, response.clone()));
        return response;
      })
      .catch(async () => {
        const cached = await caches.match(request);
        if (cached) return cached;
        return new Response("<!doctype html><meta charset=utf-8><p>{{ offline_text|escapejs }}</p>", {
          headers: { "Content-Type": "text/html; charset=utf-8" },
        });
      })
  );
});
