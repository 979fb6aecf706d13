// "← Newer · Page N of M · Older →" under every paged list (sections, tags, authors, search results).
/** @jsxRuntime automatic @jsxImportSource hono/jsx */
export function Pagination({
  page,
  pages,
  pathOf,
}: {
  page: number;
  pages: number;
  pathOf: (page: number) => string;
}) {
  if (pages <= 1) return null;
  return (
    <nav class="pagination" aria-label="Pages">
      {page > 1 && (
        <a rel="prev" href={pathOf(page - 1)}>
          ← Newer
        </a>
      )}
      <span>
        Page {page} of {pages}
      </span>
      {page < pages && (
        <a rel="next" href={pathOf(page + 1)}>
          Older →
        </a>
      )}
    </nav>
  );
}
