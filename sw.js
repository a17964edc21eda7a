// The service worker: after one visit the page boots offline, as it did online.
//
// It sits at the site root because a worker controls only the URLs under its own folder.
// assets/vendor/precache.js (written by tools/vendor.py) lists the site's files, the runtime and
// the wheels, with a version hashed from their bytes: a deploy that changes any of them changes
// that file, so the browser installs a new worker, which caches the new files under the new
// version and deletes the old caches once it is active.
//
// The runtime and wheels (assets/vendor/) are answered from the cache first (a version's files
// never change); the site's own files from the network first, falling back to the cache, so an
// edit shows on the next reload while online. Any other GET of the site is cached as it passes;
// HEAD requests (the page asks whether a wheel is there) are answered from the cache too, and
// offline a file never cached is a 503.
importScripts("./assets/vendor/precache.js");

const { version, files, optional } = self.PRECACHE;
const CACHE = `lstm-gates-${version}`;
const scope = new URL(self.registration.scope);
const url = (path) => new URL(path, scope).href;
const RUNTIME = url("./assets/vendor/");

self.addEventListener("install", (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll([url("./"), ...files.map(url)]);
    // A wheel the server lacks (NumPy not fetched) is simply not cached.
    await Promise.all(optional.map((path) => cache.add(url(path)).catch(() => undefined)));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("lstm-gates-") && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

async function fromCache(request, key) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(key, { ignoreMethod: true });
  if (!hit || request.method === "GET") return hit;
  return new Response(null, { status: hit.status, headers: hit.headers });  // HEAD: no body
}

async function fromNetwork(request, key) {
  const response = await fetch(request);
  if (response.ok && request.method === "GET") {
    const cache = await caches.open(CACHE);
    await cache.put(key, response.clone());
  }
  return response;
}

async function answer(request, key) {
  if (key.startsWith(RUNTIME)) {
    return (await fromCache(request, key)) || fromNetwork(request, key);
  }
  try {
    return await fromNetwork(request, key);
  } catch (error) {
    const hit = await fromCache(request, key);
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const plain = new URL(request.url);
  plain.search = "";
  plain.hash = "";
  const key = plain.href;
  if (!["GET", "HEAD"].includes(request.method) || !key.startsWith(scope.href)) return;
  event.respondWith(answer(request, key).catch(() =>
    new Response(null, { status: 503, statusText: "Offline and not cached" })));
});
