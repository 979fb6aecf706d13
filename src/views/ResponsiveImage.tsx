// An article image at the width the reader's screen needs: a <picture> with a WebP source and an <img>
// in the original format, both with every stored width (srcset) and the layout width (sizes).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
import type { ArticleImage } from '../storage/records';

interface Props {
  image: ArticleImage;
  /** The rendered width per viewport, as the stylesheet lays the image out (HTML `sizes`). */
  sizes: string;
  alt: string;
  class?: string;
  loading?: 'lazy';
  fetchpriority?: 'high';
}

export function ResponsiveImage({ image, sizes, alt, class: className, loading, fetchpriority }: Props) {
  // width and height reserve the box before the bytes arrive (no layout shift), whichever width loads.
  const img = (
    <img
      class={className}
      src={image.src}
      srcset={image.srcset}
      sizes={image.srcset ? sizes : undefined}
      alt={alt}
      width={image.width}
      height={image.height}
      loading={loading}
      decoding={loading && 'async'}
      fetchpriority={fetchpriority}
    />
  );
  if (!image.webpSrcset) return img;
  return (
    <picture>
      <source type="image/webp" srcset={image.webpSrcset} sizes={sizes} />
      {img}
    </picture>
  );
}
