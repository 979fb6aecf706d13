// Where push deliveries may go: the WebSub hub (site.yaml) and partner webhook URLs (wrangler vars).
// https only, except http on localhost / 127.0.0.1, so a stand-in hub or receiver can run beside
// `npm start`; the worker refuses those at delivery unless local hosts are allowed (ALLOW_LOCAL_HOSTS).
import * as z from 'zod/mini';

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1']);

export const PUSH_URL_RULE = 'must be an https URL (http only on localhost or 127.0.0.1)';

/** True for http://localhost… and http://127.0.0.1…: allowed for local testing only. */
export function isLocalHttpUrl(url: URL): boolean {
  return url.protocol === 'http:' && LOCAL_HOSTNAMES.has(url.hostname);
}

/** An https URL, or an http one on a local host; no credentials in it, no fragment. */
export function isPushUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL at all: the rule's message says what is expected.
    return false;
  }
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false;
  return url.protocol === 'https:' || isLocalHttpUrl(url);
}

/** May the worker send to this URL here? Production (local hosts not allowed) sends over https only. */
export function mayDeliverTo(value: string, allowLocal: boolean): boolean {
  if (!isPushUrl(value)) return false;
  return allowLocal || new URL(value).protocol === 'https:';
}

export const pushUrlSchema = z.string().check(z.refine(isPushUrl, PUSH_URL_RULE));
