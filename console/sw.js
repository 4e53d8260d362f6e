// Keeps the console's own files available offline (network first, the cached copy when the
// network fails). API answers are not cached here: the page keeps the last JSON in localStorage
// and shows its age.
const CACHE = "emcomm-console-v2";
const SHELL = [
  "/",
  "/console/style.css",
  "/console/app.js",
  "/console/actions.js",
  "/console/activities.js",
  "/console/api.js",
  "/console/dialog.js",
  "/console/dom.js",
  "/console/forms.js",
  "/console/i18n.js",
  "/console/model.js",
  "/console/overview.js",
  "/console/paths.js",
  "/console/plans.js",
  "/console/records.js",
  "/console/register.js",
  "/console/tickets.js",
  "/console/views.js",
  "/console/icon.svg",
  "/console/manifest.json",
];

self.addEventListener("install", (e) => {
  e.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (e) => {
  e.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/"))
    return;
  e.respondWith(
    fetch(e.request)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(e.request, copy));
        }
        return res;
      })
      .catch(() => caches.match(e.request, { ignoreSearch: true }).then((r) => r ?? caches.match("/"))),
  );
});
