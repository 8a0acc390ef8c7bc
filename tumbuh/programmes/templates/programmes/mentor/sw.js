/* Tumbuh mentor app service worker (scope {{ offline_url }}).
   The app's pages are fetched from the network first and kept for reading offline; the script is
   kept until a new version of this worker replaces it. Records made offline are not queued here
   but by mentor.js in localStorage, where a record the server refused also stays until it is
   corrected and sent again (or discarded); the sync and bundle requests always go to the
   network. */
"use strict";
const CACHE = "tumbuh-mentor-{{ version }}";
const SCOPE = "{{ offline_url }}";
const SHELL = [{% for url in shell %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const NEVER = [{% for url in never %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("tumbuh-mentor-") && key !== CACHE)
          .map((key) => caches.delete(key))
      ))
      .then(() => self.clients.claim())
  );
});

function keep(request, response) {
  // Signed out: the app's pages answer GET only with themselves or with a redirect to the
  // sign-in page (seen here as an opaque redirect, navigations do not follow redirects in a
  // worker). The copies of the caseload must then not stay readable on this device.
  const signedOut = response.type === "opaqueredirect"
    || (response.redirected && !new URL(response.url).pathname.startsWith(SCOPE));
  if (signedOut) {
    caches.delete(CACHE);
    return response;
  }
  // Only whole, successful pages: never a redirect to the sign-in page or an error.
  if (response.ok && !response.redirected && response.type === "basic") {
    const copy = response.clone();
    caches.open(CACHE).then((cache) => cache.put(request, copy));
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (NEVER.some((path) => url.pathname === path)) return;
  if (url.pathname.startsWith(SCOPE)) {
    // Pages: the network when there is one, else the copy kept last time.
    event.respondWith(
      fetch(request)
        .then((response) => keep(request, response))
        .catch(() => caches.match(request, { ignoreVary: true })
          .then((hit) => hit || caches.match(SCOPE)))
    );
  } else if (SHELL.includes(url.pathname)) {
    event.respondWith(
      caches.match(request).then((hit) => hit || fetch(request).then((r) => keep(request, r)))
    );
  }
});

self.addEventListener("message", (event) => {
  // The page asks to keep the caseload's pages for reading offline.
  const data = event.data || {};
  if (data.type !== "keep" || !Array.isArray(data.urls)) return;
  const urls = data.urls.filter((path) => typeof path === "string" && path.startsWith(SCOPE));
  event.waitUntil(
    caches.open(CACHE).then((cache) => Promise.all(
      urls.map((path) => fetch(path, { credentials: "same-origin" })
        .then((response) => {
          if (response.ok && !response.redirected) return cache.put(path, response);
          return null;
        })
        .catch(() => null))
    ))
  );
});
