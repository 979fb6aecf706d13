// Security headers for HTML (CONTRACT §5). The policy allows only this origin: a page never
// makes the browser contact another host, which is what keeps mirror readers safe. The one
// exception is an editor's choice: an article image given as an https URL (its origin only).
import type { Context } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from '../env';

/** The origins the manifest lists for images given as URLs; none on most sites. */
function imageOrigins(c: Context): string {
  const site = (c as Context<AppEnv>).var.site as AppEnv['Variables']['site'] | undefined;
  return site?.manifest.imageOrigins?.join(' ') ?? '';
}

export const htmlSecurityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      // The service worker's registration script (/assets/offline.js) and the worker (/sw.js).
      scriptSrc: ["'self'"],
      workerSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", imageOrigins],
      fontSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'strict-origin-when-cross-origin',
    xContentTypeOptions: 'nosniff',
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: 'same-origin',
    // HSTS would lock the http-only onion and local hosts out; the primary sets it at the zone.
    strictTransportSecurity: false,
  });
