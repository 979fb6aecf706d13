// Who may call the partner API and how often: CORS for browsers, partner keys when PARTNER_KEYS is
// set, and the Workers Rate Limiting binding. Mounted before the edge cache, so a cached response
// never skips a check; caller-specific headers are added after it, so they are never cached.
import { cors } from 'hono/cors';
import { createMiddleware } from 'hono/factory';
import type { Secrets } from '../env';
import { CACHE_POLICY } from '../http/cache-policy';
import { ApiError } from '../http/errors';
import { toHex } from '../shared/digest';
import { RATE_LIMIT_PERIOD_SECONDS, RATE_LIMIT_REQUESTS } from './rate-limit';

/** draft-ietf-httpapi-ratelimit-headers: quota q requests per window w seconds. */
const RATE_LIMIT_POLICY = `"partner";q=${RATE_LIMIT_REQUESTS};w=${RATE_LIMIT_PERIOD_SECONDS}`;
const REALM = 'Bearer realm="mirrorwire partner API"';

const EXPOSED_HEADERS = [
  'Link',
  'ETag',
  'Last-Modified',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
  'Server-Timing',
];

const preflight = cors({
  origin: '*',
  allowMethods: ['GET', 'HEAD', 'OPTIONS'],
  allowHeaders: ['Authorization', 'If-None-Match', 'If-Modified-Since'],
  exposeHeaders: EXPOSED_HEADERS,
  maxAge: 86_400,
});
const exposed = EXPOSED_HEADERS.join(',');

/**
 * CORS for every origin: preflights are answered by Hono's middleware; every other answer (errors
 * and 304s included) gets its two headers on the way out, so a ready response from the edge cache
 * is sent as it is rather than copied to merge headers set before it.
 */
export const apiCors = () =>
  createMiddleware(async function apiCors(c, next) {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', '*');
    c.res.headers.set('Access-Control-Expose-Headers', exposed);
  });

type GateEnv = { Bindings: Pick<Env, 'API_RATE_LIMITER'> & Secrets };

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
}

// Digests of the configured keys, per secret value: computed once per isolate, not per request.
const keyDigests = new Map<string, Promise<ArrayBuffer[]>>();

function digestsOf(secret: string): Promise<ArrayBuffer[]> {
  let digests = keyDigests.get(secret);
  if (!digests) {
    const keys = secret
      .split(',')
      .map((key) => key.trim())
      .filter((key) => key.length > 0);
    digests = Promise.all(keys.map(sha256));
    keyDigests.set(secret, digests);
  }
  return digests;
}

/**
 * Compares the presented key with every configured one in constant time. Both sides are hashed
 * first: timingSafeEqual needs equal lengths, and hashing hides the keys' lengths too. Every key
 * is compared, so the time does not tell which one (if any) matched.
 */
async function matchesAKey(secret: string, presented: string): Promise<ArrayBuffer | null> {
  const candidate = await sha256(presented);
  let matched = false;
  for (const digest of await digestsOf(secret)) {
    if (crypto.subtle.timingSafeEqual(digest, candidate)) matched = true;
  }
  return matched ? candidate : null;
}

function unauthorized(message: string, challenge: string): ApiError {
  return new ApiError(401, 'unauthorized', message, { headers: { 'WWW-Authenticate': challenge } });
}

function rateLimited(): ApiError {
  return new ApiError(
    429,
    'rate_limited',
    `Too many requests: at most ${RATE_LIMIT_REQUESTS} every ${RATE_LIMIT_PERIOD_SECONDS} seconds. Retry after ${RATE_LIMIT_PERIOD_SECONDS} seconds.`,
    {
      headers: {
        'Retry-After': String(RATE_LIMIT_PERIOD_SECONDS),
        'RateLimit-Policy': RATE_LIMIT_POLICY,
        // The binding does not say when its window ends: a whole window is the safe upper bound.
        RateLimit: `"partner";r=0;t=${RATE_LIMIT_PERIOD_SECONDS}`,
      },
    },
  );
}

export interface PartnerGateOptions {
  /** Paths served without a key (still rate limited): the API's own description. */
  publicPaths: readonly string[];
}

export const partnerGate = (options: PartnerGateOptions) =>
  createMiddleware<GateEnv>(async function partnerGate(c, next) {
    const limiter = c.env.API_RATE_LIMITER;
    const address = `address:${c.req.header('CF-Connecting-IP') ?? 'unknown'}`;
    const secret = c.env.PARTNER_KEYS;
    const keyed = secret !== undefined && !options.publicPaths.includes(c.req.path);

    let caller = address;
    if (keyed) {
      const presented = /^Bearer +([\x21-\x7e]+) *$/i.exec(c.req.header('Authorization') ?? '')?.[1];
      const digest = presented ? await matchesAKey(secret, presented) : null;
      if (!digest) {
        // Failed attempts count against the address, so keys cannot be guessed at full speed.
        if (!(await limiter.limit({ key: address })).success) throw rateLimited();
        throw presented
          ? unauthorized('The partner key is not valid.', `${REALM}, error="invalid_token"`)
          : unauthorized('This API needs a partner key: Authorization: Bearer <key>.', REALM);
      }
      caller = `key:${toHex(new Uint8Array(digest, 0, 16))}`;
    }
    if (!(await limiter.limit({ key: caller })).success) throw rateLimited();

    await next();
    c.res.headers.set('RateLimit-Policy', RATE_LIMIT_POLICY);
    if (keyed && c.res.headers.get('Cache-Control')?.startsWith('public')) {
      c.res.headers.set('Cache-Control', CACHE_POLICY.apiWithKeys);
    }
  });
