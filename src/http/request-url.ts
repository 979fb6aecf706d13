// The parts of a request URL every response needs (cache keys, the request guard), read without
// parsing the URL again on each request.

/**
 * The path and query of a request URL as the runtime serialised it (so already parsed and
 * normalised: `new URL(url).pathname` and `.search` are these slices), without parsing it again.
 */
export function pathAndQuery(requestUrl: string): { pathname: string; search: string } {
  const start = requestUrl.indexOf('/', requestUrl.indexOf('//') + 2);
  if (start < 0) return { pathname: '/', search: '' };
  const end = requestUrl.indexOf('?', start);
  return end < 0
    ? { pathname: requestUrl.slice(start), search: '' }
    : { pathname: requestUrl.slice(start, end), search: requestUrl.slice(end) };
}

/** The authority (host, and port if any) of a request URL as the runtime serialised it. */
export function hostOf(requestUrl: string): string {
  const start = requestUrl.indexOf('//') + 2;
  const end = requestUrl.indexOf('/', start);
  return end < 0 ? requestUrl.slice(start) : requestUrl.slice(start, end);
}
