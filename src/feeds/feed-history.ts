// RFC 5005 §4 (archived feeds) for the XML formats: the `fh` namespace that marks an archive
// document, and the prev-archive / next-archive / current links Atom and RSS both write.
import type { FeedFormat } from './feed-formats';
import type { FeedPaging } from './feed-items';

/** RFC 5005 §5: the namespace of `<fh:archive/>`. */
export const HISTORY_NAMESPACE = 'http://purl.org/syndication/history/1.0';
export const HISTORY_PREFIX = 'fh';

/** `<fh:archive/>`: RFC 5005 §4 requires it in every archive document, and only there. */
export const ARCHIVE_MARKER = `<${HISTORY_PREFIX}:archive/>`;

export interface HistoryLink {
  rel: 'current' | 'prev-archive' | 'next-archive';
  href: string;
}

/** The registered link relations of one document, to documents of the same format. */
export function historyLinks(paging: FeedPaging, format: FeedFormat): HistoryLink[] {
  const links: HistoryLink[] = [];
  if (paging.archive) links.push({ rel: 'current', href: paging.archive.current[format] });
  if (paging.prev) links.push({ rel: 'prev-archive', href: paging.prev[format] });
  if (paging.next) links.push({ rel: 'next-archive', href: paging.next[format] });
  return links;
}
