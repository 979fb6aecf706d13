// A stand-in for the four Workers KV endpoints of Cloudflare's REST API that the publish command
// uses (list keys, read a value, bulk write, bulk delete), on 127.0.0.1, holding keys, values and
// metadata in memory. It checks the bearer token, the account, the namespace and the documented limits,
// logs every request, and fails requests on demand: 429 with retry-after, 500, a partial bulk write,
// an answer cut off, or no answer at all.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { faultRules, type FaultRule as SharedFaultRule } from './fault-rules';
import { listenOnLoopback } from './loopback-server';

export interface StoredValue {
  value: string;
  metadata?: unknown;
}

export type Operation = 'list' | 'get' | 'bulk-put' | 'bulk-delete';

export type Fault =
  | { kind: 'status'; status: number; retryAfterSeconds?: number }
  /**
   * A bulk request whose pairs at these positions (by default the last) are not stored and are
   * reported in unsuccessful_keys.
   */
  | { kind: 'partial'; unstored?: readonly number[] }
  /** No answer until the client gives up (the connection is dropped when the stand-in closes). */
  | { kind: 'hang' }
  /** An answer begun (status, headers, a few bytes of a success) and cut off: nothing is stored. */
  | { kind: 'cut' };

export type FaultRule = SharedFaultRule<Operation, Fault>;

export interface LoggedRequest {
  op: Operation | 'other';
  key?: string;
  /** Pairs or keys in a bulk request. */
  count?: number;
  status: number | 'hang' | 'cut';
  at: number;
}

export interface KvRestStandIn {
  /** The API base, as CLOUDFLARE_API_BASE_URL. */
  baseUrl: string;
  entries: Map<string, StoredValue>;
  log: LoggedRequest[];
  /** Adds a rule; rules are consulted in the order they were added. */
  inject(rule: FaultRule): void;
  clearFaults(): void;
  close(): Promise<void>;
}

// The documented limits (see src/publish/node/cloudflare-kv.ts for where they are quoted from).
const MAX_BULK_ITEMS = 10_000;
const MAX_BULK_BYTES = 100_000_000;
const MAX_KEY_BYTES = 512;
const MAX_METADATA_BYTES = 1024;
const MAX_VALUE_BYTES = 25 * 1024 * 1024;

interface Options {
  token: string;
  accountId: string;
  namespaceId: string;
  /** Keys per list page at most, below the client's limit, so that clients must follow the cursor. */
  listPageSize?: number;
  /**
   * Which values to keep (all by default). Another key's value is checked against the limits and
   * dropped, its metadata kept for listing, and reading it answers 500: for a run that writes more
   * than memory holds (a first publish of 500,000 articles, about 35 GB) and reads back only a few
   * keys.
   */
  keepValue?: (key: string) => boolean;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

function failure(response: ServerResponse, status: number, code: number, message: string) {
  send(response, status, { success: false, errors: [{ code, message }], messages: [], result: null });
}

function success(response: ServerResponse, result: unknown, extra: Record<string, unknown> = {}) {
  send(response, 200, { success: true, errors: [], messages: [], result, ...extra });
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** Why a bulk write's pairs break the documented rules, or undefined when they do not. */
function invalidPairs(items: unknown): string | undefined {
  if (!Array.isArray(items)) return 'body must be a JSON array';
  if (items.length > MAX_BULK_ITEMS) return `${items.length} pairs, more than ${MAX_BULK_ITEMS}`;
  for (const item of items) {
    if (!item || typeof item !== 'object') return 'every pair must be an object';
    const { key, value, metadata } = item as Record<string, unknown>;
    if (typeof key !== 'string' || key === '' || bytes(key) > MAX_KEY_BYTES) return `bad key ${String(key)}`;
    if (typeof value !== 'string' || bytes(value) > MAX_VALUE_BYTES) return `bad value for ${key}`;
    if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null))
      return `metadata of ${key} must be an object`;
    if (metadata !== undefined && bytes(JSON.stringify(metadata)) > MAX_METADATA_BYTES)
      return `metadata of ${key} is over ${MAX_METADATA_BYTES} bytes`;
  }
  return undefined;
}

/**
 * A value kept as its UTF-8 bytes, as KV keeps it, outside the JS heap: `bench:publish` writes an
 * archive's gigabytes of values here, and a heap holding them as strings spends its time collecting
 * (6.7 GB at 100,000 articles, at about 740 writes a second).
 */
function storedValue(value: string, metadata: unknown): StoredValue {
  const bytes = Buffer.from(value, 'utf8');
  const text = {
    get value() {
      return bytes.toString('utf8');
    },
  };
  return metadata === undefined ? text : Object.assign(text, { metadata });
}

/** The positions a partial fault leaves unstored, of a request of `count`: by default the last. */
function unstoredAt(positions: readonly number[] | undefined, count: number): Set<number> {
  return new Set((positions ?? [count - 1]).filter((at) => at >= 0 && at < count));
}

export async function startKvRestStandIn(options: Options): Promise<KvRestStandIn> {
  const entries = new Map<string, StoredValue>();
  // Keys whose values were not kept (Options.keepValue).
  const dropped = new Set<string>();
  const log: LoggedRequest[] = [];
  const rules = faultRules<Operation, Fault>();
  const namespacePath = `/client/v4/accounts/${options.accountId}/storage/kv/namespaces/${options.namespaceId}`;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const record: LoggedRequest = { op: 'other', status: 0, at: performance.now() };
    log.push(record);
    response.on('finish', () => {
      record.status = response.statusCode;
    });

    if (request.headers.authorization !== `Bearer ${options.token}`)
      return failure(response, 403, 10000, 'Authentication error');
    if (!url.pathname.startsWith(`${namespacePath}/`)) {
      const known = url.pathname.includes('/storage/kv/namespaces/');
      return known
        ? failure(response, 404, 10013, 'namespace not found')
        : failure(response, 404, 7000, 'No route for that URI');
    }
    const rest = url.pathname.slice(namespacePath.length);
    const body = request.method === 'GET' ? Buffer.alloc(0) : await readBody(request);

    let op: Operation;
    let key: string | undefined;
    if (request.method === 'GET' && rest === '/keys') op = 'list';
    else if (request.method === 'GET' && rest.startsWith('/values/')) {
      op = 'get';
      key = decodeURIComponent(rest.slice('/values/'.length));
    } else if (request.method === 'PUT' && rest === '/bulk') op = 'bulk-put';
    else if (request.method === 'POST' && rest === '/bulk/delete') op = 'bulk-delete';
    else return failure(response, 405, 10405, 'Method not allowed for this route');
    record.op = op;
    if (key !== undefined) record.key = key;

    let items: unknown;
    if (op === 'bulk-put' || op === 'bulk-delete') {
      if (body.length > MAX_BULK_BYTES) return failure(response, 413, 10011, 'request too large');
      try {
        items = JSON.parse(body.toString('utf8'));
      } catch {
        return failure(response, 400, 10026, 'body is not JSON');
      }
      if (Array.isArray(items)) record.count = items.length;
    }

    const fault = rules.faultFor(op, key);
    if (fault?.kind === 'hang') {
      record.status = 'hang';
      listening.hang(response);
      return;
    }
    if (fault?.kind === 'cut') {
      record.status = 'cut';
      const answer = JSON.stringify({ success: true, errors: [], messages: [], result: {} });
      response.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(answer)),
      });
      response.write(answer.slice(0, 12), () => response.socket?.destroy());
      return;
    }
    if (fault?.kind === 'status')
      return send(
        response,
        fault.status,
        {
          success: false,
          errors: [{ code: 10001, message: 'injected failure' }],
          messages: [],
          result: null,
        },
        fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) },
      );

    if (op === 'list') {
      const limit = Number(url.searchParams.get('limit') ?? '1000');
      if (!Number.isInteger(limit) || limit < 10 || limit > 1000)
        return failure(response, 400, 10020, 'limit must be between 10 and 1000');
      const prefix = url.searchParams.get('prefix') ?? '';
      const names = [...entries.keys()].filter((name) => name.startsWith(prefix)).sort();
      // The cursor is opaque to clients; here it is the index of the next key.
      const start = Number(url.searchParams.get('cursor') || '0');
      const size = Math.min(limit, options.listPageSize ?? limit);
      const page = names.slice(start, start + size);
      const next = start + page.length < names.length ? String(start + page.length) : '';
      return success(
        response,
        page.map((name) => ({ name, metadata: entries.get(name)?.metadata })),
        { result_info: { count: page.length, cursor: next } },
      );
    }
    if (op === 'get') {
      const stored = key === undefined ? undefined : entries.get(key);
      if (!stored) return failure(response, 404, 10009, "get: 'key not found'");
      if (key !== undefined && dropped.has(key))
        return failure(response, 500, 10001, `the stand-in kept no value for ${key}`);
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      return response.end(stored.value);
    }
    if (op === 'bulk-put') {
      const problem = invalidPairs(items);
      if (problem) return failure(response, 400, 10021, problem);
      const pairs = items as { key: string; value: string; metadata?: unknown }[];
      const unstored = fault?.kind === 'partial' ? unstoredAt(fault.unstored, pairs.length) : new Set();
      for (const [at, { key: name, value, metadata }] of pairs.entries())
        if (!unstored.has(at))
          if (options.keepValue && !options.keepValue(name)) {
            dropped.add(name);
            entries.set(name, metadata === undefined ? { value: '' } : { value: '', metadata });
          } else {
            dropped.delete(name);
            entries.set(name, storedValue(value, metadata));
          }
      return success(response, {
        successful_key_count: pairs.length - unstored.size,
        unsuccessful_keys: pairs.filter((_, at) => unstored.has(at)).map((p) => p.key),
      });
    }
    if (!Array.isArray(items) || !items.every((k) => typeof k === 'string'))
      return failure(response, 400, 10021, 'body must be a JSON array of key names');
    if (items.length > MAX_BULK_ITEMS) return failure(response, 400, 10021, 'more than 10,000 keys');
    const removed = fault?.kind === 'partial' ? items.slice(0, -1) : items;
    for (const name of removed) {
      entries.delete(name);
      dropped.delete(name);
    }
    return success(response, {
      successful_key_count: removed.length,
      unsuccessful_keys: items.slice(removed.length),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      failure(response, 500, 10001, `stand-in error: ${String(error)}`);
    });
  });
  const listening = await listenOnLoopback(server);
  const { port } = listening;

  return {
    baseUrl: `http://127.0.0.1:${port}/client/v4`,
    entries,
    log,
    inject(rule) {
      rules.inject(rule);
    },
    clearFaults() {
      rules.clear();
    },
    close: listening.close,
  };
}
