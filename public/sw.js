// Offline reading (docs/mirrors.md): keeps the pages a reader opened, the stylesheet, the offline page
// and the last mirror list verified against the pinned key. It fetches only this host's own URLs, and
// its CSP (connect-src 'self') makes sure of it.
const VERSION = 'mw-offline-2';
const SHELL = `${VERSION}-shell`;
const PAGES = `${VERSION}-pages`;
// Not versioned: the pinned key, the last verified sequence and list outlive a new sw.js.
const TRUST = 'mw-trust';
const PIN = '/.mirrorwire/pin';
const OFFLINE = '/offline';
const SHELL_URLS = [OFFLINE, '/assets/site.css', '/images/logo.png', '/images/favicon.svg'];
const LIST = '/.well-known/mirrors.json';
const MIRROR_URLS = [LIST, `${LIST}.minisig`];
const MARKER = '<!--offline-articles-->';
const ADDRESSES = /(<section class="alternate-addresses"[^]*?<ul>)[^]*?(<\/ul>)/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL)
      .then((cache) => cache.addAll(SHELL_URLS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((k) => k !== TRUST && !k.startsWith(VERSION)).map((k) => caches.delete(k))),
      )
      .then(() => self.clients.claim()),
  );
});

// A page (public/assets/offline.js) hands over the site's key: pin it, then check the mirror list.
self.addEventListener('message', (event) => {
  const key = event.data && event.data.key;
  // Only a well-formed `RW…` key (Ed, key id, Ed25519 public key) is ever pinned.
  if (!/^RW[A-Za-z0-9+/]{54}$/.test(key)) return;
  event.waitUntil(checkMirrors(key).then((state) => event.ports[0] && event.ports[0].postMessage(state)));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Another host's request is the browser's business, never this worker's.
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') event.respondWith(navigate(request, url));
  else if (SHELL_URLS.includes(url.pathname)) event.respondWith(networkThenCache(request));
  else if (MIRROR_URLS.includes(url.pathname))
    event.respondWith(fetch(request).catch(() => trusted(url.pathname).then((r) => r || Response.error())));
});

async function networkThenCache(request) {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await caches.match(request);
    if (cached) return cached;
    throw error;
  }
}

const trusted = async (path) => (await caches.open(TRUST)).match(path);

// Trust on first use: the first key is pinned, another is refused (a rotation needs the site's data
// cleared). A list replaces the kept one only when it verifies with a sequence not below the last.
async function checkMirrors(key) {
  const trust = await caches.open(TRUST);
  const pinned = await trust.match(PIN);
  const state = pinned ? await pinned.json() : { key, sequence: 0 };
  if (!pinned) await trust.put(PIN, Response.json(state));
  if (state.key !== key) return { ...state, refused: key };
  try {
    const [list, sig] = await Promise.all(MIRROR_URLS.map((url) => fetch(url)));
    if (!list.ok || !sig.ok) return state;
    const body = new Uint8Array(await list.clone().arrayBuffer());
    const verified = await verifyMirrors(state.key, body, await sig.clone().text(), state.sequence);
    if (!verified) return { ...state, rejected: true };
    state.sequence = verified.sequence;
    await Promise.all([trust.put(LIST, list), trust.put(MIRROR_URLS[1], sig), trust.put(PIN, Response.json(state))]);
  } catch {
    // Offline: the kept list stays.
  }
  return state;
}

const bytes = (base64) => Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
const isEd = (b) => b[0] === 69 && b[1] === 100;

// minisign `Ed` (src/mirrors/minisign.ts): key id, Ed25519 over the bytes and over signature ‖
// trusted comment, its sequence ≥ minSequence and repeated in the list. { list, sequence } or null.
async function verifyMirrors(publicKey, body, minisig, minSequence) {
  try {
    const [, sigLine, comment, globalLine] = minisig.split('\n').map((line) => line.replace(/\r$/, ''));
    const pub = bytes(publicKey);
    const sig = bytes(sigLine);
    const global = bytes(globalLine);
    if (!comment.startsWith('trusted comment: ') || pub.length !== 42 || sig.length !== 74) return null;
    if (!isEd(pub) || !isEd(sig) || pub.subarray(2, 10).some((b, i) => b !== sig[2 + i])) return null;
    const key = await crypto.subtle.importKey('raw', pub.subarray(10), { name: 'Ed25519' }, false, ['verify']);
    const text = new TextEncoder().encode(comment.slice(17));
    const signed = new Uint8Array(64 + text.length);
    signed.set(sig.subarray(10));
    signed.set(text, 64);
    if (!(await crypto.subtle.verify('Ed25519', key, sig.subarray(10), body))) return null;
    if (!(await crypto.subtle.verify('Ed25519', key, global, signed))) return null;
    const sequence = Number((/(?:^|\t)sequence:(\d+)(?:\t|$)/.exec(comment.slice(17)) || [])[1]);
    const list = JSON.parse(new TextDecoder().decode(body));
    const ok = sequence >= minSequence && list.sequence === sequence && Array.isArray(list.mirrors);
    return ok ? { list, sequence } : null;
  } catch {
    return null;
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

const parseUrl = (text) => {
  try {
    return new URL(text);
  } catch {
    return null;
  }
};
const escapeHtml = (text) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

async function verifiedAddresses() {
  const kept = await trusted(LIST);
  const list = kept ? await kept.json() : { mirrors: [] };
  const items = [];
  for (const address of [list.primary, ...list.mirrors, list.onion]) {
    const url = parseUrl(address);
    if (!url || !/^https?:$/.test(url.protocol) || url.origin === self.location.origin) continue;
    const tor = url.host.endsWith('.onion') ? ' (Tor)' : '';
    items.push(`<li><a href="${escapeHtml(url.href)}" rel="nofollow">${escapeHtml(url.host)}</a>${tor}</li>`);
  }
  return kept ? items.join('') : '<li>No list of addresses has been verified on this device yet.</li>';
}

/** The offline page as served at install, with the verified addresses and the articles kept. */
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
  const addresses = await verifiedAddresses();
  const html = (await shell.text())
    .replace(MARKER, items.join(''))
    .replace(ADDRESSES, (_, open, close) => open + addresses + close);
  const headers = new Headers(shell.headers);
  headers.delete('Content-Length');
  headers.delete('ETag');
  return new Response(html, { status: 200, headers });
}
