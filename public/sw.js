// Offline reading (src/views/OfflinePage.tsx, docs/seo.md): keeps the pages a reader opened, the
// stylesheet, the offline page and the mirror list as this host served them. Same-origin only: it
// fetches nothing but this host's own URLs, and its own CSP (connect-src 'self') makes sure of it.
const VERSION = 'mw-offline-1';
const SHELL = `${VERSION}-shell`;
const PAGES = `${VERSION}-pages`;
const OFFLINE = '/offline';
// The mirror list is kept as fetched from this host, like the pages; this worker does not check
// its signature (see /about/mirrors for that), so it trusts the list exactly as much as the page.
const SHELL_URLS = [OFFLINE, '/assets/site.css', '/images/logo.png', '/images/favicon.svg'];
const MIRROR_URLS = ['/.well-known/mirrors.json', '/.well-known/mirrors.json.minisig'];
const MARKER = '<!--offline-articles-->';

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) =>
        cache.addAll(SHELL_URLS).then(() => Promise.all(MIRROR_URLS.map((url) => cache.add(url).catch(() => {})))),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => !k.startsWith(VERSION)).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Another host's request is the browser's business, never this worker's.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') event.respondWith(navigate(request, url));
  else if (SHELL_URLS.includes(url.pathname) || MIRROR_URLS.includes(url.pathname))
    event.respondWith(networkThenCache(request, SHELL));
});

async function networkThenCache(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(cacheName)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}

/** Network first; a page that loaded is kept. Offline: that page, or the offline page. */
async function navigate(request, url) {
  try {
    const response = await fetch(request);
    const type = response.headers.get('Content-Type') || '';
    if (response.ok && type.startsWith('text/html') && url.pathname !== OFFLINE) {
      await (await caches.open(PAGES)).put(url.pathname + url.search, response.clone());
    }
    return response;
  } catch {
    // The network failed: what this reader opened before, else the offline page.
    const cached = await (await caches.open(PAGES)).match(url.pathname + url.search);
    return cached || offlinePage();
  }
}

const escapeHtml = (text) =>
  text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The offline page as served at install, with the articles this reader can still open. */
async function offlinePage() {
  const shell = await caches.match(OFFLINE);
  if (!shell) return Response.error();
  const pages = await caches.open(PAGES);
  const items = [];
  for (const request of await pages.keys()) {
    const path = new URL(request.url).pathname;
    if (!path.startsWith('/Detail/')) continue;
    const page = await pages.match(request);
    // The title as the server escaped it; the site's name after " | " is dropped.
    const title = (/<title>([^<]*)<\/title>/.exec(page ? await page.text() : '') || [])[1] || path;
    items.push(`<li><a href="${escapeHtml(path)}">${title.replace(/ \| [^|]*$/, '')}</a></li>`);
  }
  const html = (await shell.text()).replace(MARKER, items.join(''));
  const headers = new Headers(shell.headers);
  headers.delete('Content-Length');
  headers.delete('ETag');
  return new Response(html, { status: 200, headers });
}
