// Registers the offline reader (/sw.js) where the browser supports it; pages work without it.
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch(() => {
    // Offline reading is an extra: a refusal (private mode, a policy) leaves the page as it is.
  });
}
