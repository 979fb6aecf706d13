// Security headers for HTML (CONTRACT §5). The policy allows only this origin: a page never
// makes the browser contact another host, which is what keeps mirror readers safe.
import { secureHeaders } from 'hono/secure-headers';

export const htmlSecurityHeaders = () =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      // The service worker's registration script (/assets/offline.js) and the worker (/sw.js).
      scriptSrc: ["'self'"],
      workerSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
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
