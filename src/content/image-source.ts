// What an article's `image.src` may name: a file under content/images, or an https URL kept as is.

/** `images/…`: a file under the content folder's images/, never climbing out of it. */
export function isImageSource(src: string): boolean {
  const [top, ...rest] = src.split('/');
  return (
    top === 'images' &&
    rest.length > 0 &&
    rest.every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'))
  );
}

/**
 * `https://…`: an image kept where it is, neither copied nor resized. Pages then load it from that
 * host, which their Content-Security-Policy names (docs/security.md).
 */
export function isImageUrl(src: string): boolean {
  if (!URL.canParse(src)) return false;
  const url = new URL(src);
  return (
    url.protocol === 'https:' && url.username === '' && url.password === '' && DNS_NAME.test(url.hostname)
  );
}

/**
 * A host name of letters, digits and hyphens in dot-separated labels (the URL parser has already
 * lowercased it and turned a Unicode name into punycode). The origin is written into the pages'
 * CSP, where `,` would start a second policy and `*` would allow every host.
 */
const DNS_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Where an `images/…` source is, as messages show it: under the content folder the site file is
 * in (`--content` may name any), from that file's path as shown (`content/site.yaml`).
 */
export function imageFileShown(sitePath: string, src: string): string {
  const slash = sitePath.lastIndexOf('/');
  return slash < 0 ? src : `${sitePath.slice(0, slash)}/${src}`;
}
