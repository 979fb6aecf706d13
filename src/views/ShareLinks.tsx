// Share links as plain anchors: no third-party scripts, no trackers, nothing loaded until clicked.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
export function ShareLinks({ url, title }: { url: string; title: string }) {
  const u = encodeURIComponent(url);
  const t = encodeURIComponent(title);
  const targets = [
    { name: 'X', href: `https://x.com/intent/post?url=${u}&text=${t}` },
    { name: 'Facebook', href: `https://www.facebook.com/sharer/sharer.php?u=${u}` },
    { name: 'Telegram', href: `https://t.me/share/url?url=${u}&text=${t}` },
    { name: 'WhatsApp', href: `https://wa.me/?text=${t}%20${u}` },
    { name: 'E-mail', href: `mailto:?subject=${t}&body=${u}` },
  ];
  return (
    <section class="share" aria-labelledby="share-title">
      <h2 id="share-title">Share this article</h2>
      <ul>
        {targets.map((target) => (
          <li>
            <a href={target.href} rel="noopener noreferrer nofollow" target="_blank">
              {target.name}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
