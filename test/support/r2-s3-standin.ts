// A stand-in for the two operations of R2's S3-compatible API that the publish command uses
// (ListObjectsV2 and PutObject, path-style), on 127.0.0.1, holding objects in memory. Every request
// must carry a well-formed AWS Signature Version 4 Authorization header for its access key, which
// it verifies on its own (node:crypto, not the client's signing library), with a payload hash that
// matches the body. It logs every request and fails requests on demand: a status (429 with
// retry-after, 500…) or no answer at all.
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type FaultRule, faultRules } from './fault-rules';
import { listenOnLoopback } from './loopback-server';

export interface StoredObject {
  bytes: Buffer;
  contentType?: string;
  cacheControl?: string;
}

export type S3Operation = 'list' | 'put';

export type S3Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /** No answer until the client gives up (the connection is dropped when the stand-in closes). */
  | { kind: 'hang' }
  /** A normal answer, this many milliseconds late: how requests in flight are counted. */
  | { kind: 'slow'; ms: number };

export type S3FaultRule = FaultRule<S3Operation, S3Fault>;

export interface LoggedS3Request {
  op: S3Operation | 'other';
  key?: string;
  /** A listing's prefix. */
  prefix?: string;
  status: number | 'hang';
  /** Why the stand-in refused it (authentication, protocol), when it did. */
  refused?: string;
  at: number;
}

export interface R2S3StandIn {
  /** The endpoint, as R2_S3_ENDPOINT. */
  endpoint: string;
  objects: Map<string, StoredObject>;
  log: LoggedS3Request[];
  /** The most PutObject requests that were ever being answered at once. */
  maxPutsInFlight(): number;
  inject(rule: S3FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

interface Options {
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  /** Keys per list page at most, below the client's max-keys, so that clients must follow the token. */
  listPageSize?: number;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/** RFC 3986 encoding as SigV4 canonicalisation wants it: only A–Z a–z 0–9 - _ . ~ left as they are. */
const uriEncode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Why a request's SigV4 signature is not acceptable, or undefined when it is: the Authorization
 * header's shape, the scope (date of x-amz-date, region auto, service s3), the signed headers
 * (host, x-amz-date and x-amz-content-sha256 among them), the payload hash against the body, and
 * the signature itself, recomputed from the canonical request.
 */
export function signatureProblem(
  request: { method: string; rawUrl: string; headers: IncomingMessage['headers']; body: Buffer },
  credentials: { accessKeyId: string; secretAccessKey: string },
): string | undefined {
  const header = request.headers.authorization;
  if (!header) return 'no Authorization header';
  const match = AUTHORIZATION.exec(header);
  if (!match) return `malformed Authorization header: ${header.slice(0, 80)}`;
  const [, accessKeyId, day, region, service, signedList = '', signature] = match;
  if (accessKeyId !== credentials.accessKeyId) return `unknown access key ${accessKeyId}`;
  if (region !== 'auto' || service !== 's3') return `scope ${region}/${service}, not auto/s3`;
  const amzDate = request.headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !/^\d{8}T\d{6}Z$/.test(amzDate)) return 'no x-amz-date';
  if (amzDate.slice(0, 8) !== day) return 'credential date differs from x-amz-date';
  const signed = signedList.split(';');
  if ([...signed].sort().join(';') !== signedList) return 'SignedHeaders not sorted';
  for (const required of ['host', 'x-amz-date', 'x-amz-content-sha256'])
    if (!signed.includes(required)) return `${required} is not signed`;
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== sha256Hex(request.body)) return 'x-amz-content-sha256 is not the SHA-256 of the body';

  const url = new URL(request.rawUrl, 'http://stand-in');
  const query = [...url.searchParams]
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const path = url.pathname
    .split('/')
    .map((segment) => uriEncode(decodeURIComponent(segment)))
    .join('/');
  const headerLines = signed.map((name) => {
    const value = request.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}`;
  });
  const canonical = [
    request.method,
    path,
    query,
    `${headerLines.join('\n')}\n`,
    signedList,
    payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return expected === signature ? undefined : 'signature does not match';
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/xml', ...headers });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`,
  );
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startR2S3StandIn(options: Options): Promise<R2S3StandIn> {
  const objects = new Map<string, StoredObject>();
  const log: LoggedS3Request[] = [];
  const rules = faultRules<S3Operation, S3Fault>();
  let putsInFlight = 0;
  let maxPutsInFlight = 0;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const rawUrl = request.url ?? '/';
    const url = new URL(rawUrl, 'http://127.0.0.1');
    const record: LoggedS3Request = { op: 'other', status: 0, at: performance.now() };
    log.push(record);
    response.on('finish', () => {
      record.status = response.statusCode;
    });
    const body = await readBody(request);

    const [, bucket = '', ...keyParts] = url.pathname.split('/');
    const key = keyParts.map(decodeURIComponent).join('/');
    if (request.method === 'GET' && keyParts.length === 0) record.op = 'list';
    else if (request.method === 'PUT' && key !== '') {
      record.op = 'put';
      record.key = key;
    }

    const problem = signatureProblem(
      { method: request.method ?? 'GET', rawUrl, headers: request.headers, body },
      options,
    );
    if (problem) {
      record.refused = problem;
      const code = problem.startsWith('unknown access key') ? 'InvalidAccessKeyId' : 'SignatureDoesNotMatch';
      return sendError(response, 403, code, problem);
    }
    if (decodeURIComponent(bucket) !== options.bucket)
      return sendError(response, 404, 'NoSuchBucket', 'The specified bucket does not exist.');
    if (record.op === 'other') return sendError(response, 501, 'NotImplemented', 'Not in this stand-in.');

    if (record.op === 'put') {
      maxPutsInFlight = Math.max(maxPutsInFlight, ++putsInFlight);
      response.on('close', () => {
        putsInFlight--;
      });
    }
    const fault = rules.faultFor(record.op, record.key);
    if (fault?.kind === 'hang') {
      record.status = 'hang';
      listening.hang(response);
      return;
    }
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (fault?.kind === 'status')
      return sendError(
        response,
        fault.status,
        fault.status === 429 ? 'SlowDown' : 'InternalError',
        'injected failure',
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );

    if (record.op === 'list') {
      if (url.searchParams.get('list-type') !== '2')
        return sendError(response, 400, 'InvalidArgument', 'only ListObjectsV2 (list-type=2) here');
      const maxKeys = Number(url.searchParams.get('max-keys') ?? '1000');
      if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > 1000)
        return sendError(response, 400, 'InvalidArgument', 'max-keys must be from 1 to 1000');
      const prefix = url.searchParams.get('prefix') ?? '';
      record.prefix = prefix;
      const names = [...objects.keys()].filter((name) => name.startsWith(prefix)).sort();
      // The continuation token is opaque to clients; here it is the index of the next key.
      const start = Number(url.searchParams.get('continuation-token') || '0');
      const size = Math.min(maxKeys, options.listPageSize ?? maxKeys);
      const page = names.slice(start, start + size);
      const truncated = start + page.length < names.length;
      response.writeHead(200, { 'content-type': 'application/xml' });
      return response.end(
        [
          '<?xml version="1.0" encoding="UTF-8"?>',
          '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
          `<Name>${escapeXml(options.bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
          `<KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
          ...page.map(
            (name) =>
              `<Contents><Key>${escapeXml(name)}</Key><Size>${objects.get(name)?.bytes.length ?? 0}</Size></Contents>`,
          ),
          truncated ? `<NextContinuationToken>${start + page.length}</NextContinuationToken>` : '',
          '</ListBucketResult>',
        ].join(''),
      );
    }
    const contentType = request.headers['content-type'];
    const cacheControl = request.headers['cache-control'];
    objects.set(key, {
      bytes: body,
      ...(contentType && { contentType }),
      ...(cacheControl && { cacheControl }),
    });
    response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
    return response.end();
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      sendError(response, 500, 'InternalError', `stand-in error: ${String(error)}`);
    });
  });
  const listening = await listenOnLoopback(server);
  const { port } = listening;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    objects,
    log,
    maxPutsInFlight: () => maxPutsInFlight,
    inject(rule) {
      rules.inject(rule);
    },
    clearFaults() {
      rules.clear();
    },
    close: listening.close,
  };
}
