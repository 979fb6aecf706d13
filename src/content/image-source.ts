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
  return url.protocol === 'https:' && url.username === '' && url.password === '';
}
