// Registers the offline reader (/sw.js) where the browser supports it; pages work without it. Then
// hands the worker the site's public key from the page head, which it pins on first use and checks
// the mirror list against (public/sw.js, docs/mirrors.md).
if ('serviceWorker' in navigator) {
  navigator.serviceWorker
    .register('/sw.js')
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      const meta = document.querySelector('meta[name="mirrorwire-signing-key"]');
      if (meta && registration.active) registration.active.postMessage({ key: meta.content });
    })
    .catch(() => {
      // Offline reading is an extra: a refusal (private mode, a policy) leaves the page as it is.
    });
}
