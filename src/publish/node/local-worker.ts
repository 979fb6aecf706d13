// The local state a publish writes and `wrangler dev` serves (`--persist-to DIR`): its KV namespaces
// and its images bucket, opened in one Miniflare with a small worker that takes whole batches per
// request. One runtime for both: a second Miniflare for the bucket cost a start of its own, and its
// binding proxy took seconds to list the renditions of an archive's photos.
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { Worker } from 'node:worker_threads';
import { kvNamespacesOf, localKvPath } from './local-kv';
import { IMAGES_BINDING, localR2Path } from './local-r2';

// Every KV operation in flight holds a file (and a socket) in workerd: 32 at a time, not a whole
// batch, so a publish works under a descriptor limit of 256 (macOS's default).
const WORKER_SCRIPT = `
const IN_FLIGHT = 32;
async function eachLimited(items, fn) {
  for (let start = 0; start < items.length; start += IN_FLIGHT)
    await Promise.all(items.slice(start, start + IN_FLIGHT).map(fn));
}
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const param = (name) => url.searchParams.get(name);
    if (url.pathname.startsWith('/kv/')) {
      const kv = env[param('binding')];
      if (url.pathname === '/kv/put') {
        const batch = await request.json();
        await eachLimited(batch, (w) => kv.put(w.key, w.value, { metadata: w.metadata }));
        return new Response('ok');
      }
      if (url.pathname === '/kv/delete') {
        const keys = await request.json();
        await eachLimited(keys, (key) => kv.delete(key));
        return new Response('ok');
      }
      if (url.pathname === '/kv/list')
        return Response.json(await kv.list({ prefix: param('prefix') ?? '', cursor: param('cursor') || undefined }));
      if (url.pathname === '/kv/get') {
        const value = await kv.get(param('key'), 'text');
        return value === null ? new Response(null, { status: 404 }) : new Response(value);
      }
    }
    if (url.pathname === '/images/list') {
      const page = await env.${IMAGES_BINDING}.list({ prefix: param('prefix') ?? '', cursor: param('cursor') || undefined });
      return Response.json({
        keys: page.objects.map((object) => object.key),
        truncated: page.truncated,
        cursor: page.truncated ? page.cursor : undefined,
      });
    }
    if (url.pathname === '/images/put') {
      await env.${IMAGES_BINDING}.put(param('key'), await request.arrayBuffer(), {
        httpMetadata: { contentType: param('contentType'), cacheControl: param('cacheControl') },
      });
      return new Response('ok');
    }
    return new Response('not found', { status: 404 });
  },
};`;

/**
 * Runs in a thread of its own: Miniflare's module takes a second or more to load and workerd as long
 * to start, which then pass beside the files being read and compiled (publish-command.ts starts the
 * worker first) rather than before the first KV read. Plain CommonJS without the TypeScript loader,
 * which would only slow the load. One thread per process, kept once started: it loads Miniflare's
 * module once, and each open asks it for a Miniflare of its own (`open`, answered with the address
 * of the worker's entry) and later disposes of it (`dispose`). Miniflare kills workerd from process
 * exit and signal hooks, which never run in a thread, so the thread names each process it starts
 * and the main thread kills them (guardProcesses).
 */
const THREAD_SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const childProcess = require('node:child_process');
const spawn = childProcess.spawn;
childProcess.spawn = function (...args) {
  const child = spawn.apply(this, args);
  // A process that could not be started has no pid; Miniflare then fails, and says why.
  if (child.pid !== undefined) {
    parentPort.postMessage({ type: 'spawned', pid: child.pid });
    child.on('exit', () => parentPort.postMessage({ type: 'exited', pid: child.pid }));
  }
  return child;
};
const { Miniflare } = require(workerData.miniflare);
const open = new Map();
const dispose = (miniflare) => miniflare.dispose().catch(() => undefined);
parentPort.on('message', async (message) => {
  const { id } = message;
  if (message.type === 'open') {
    let miniflare;
    try {
      miniflare = new Miniflare(message.options);
      open.set(id, miniflare);
      const url = await miniflare.ready;
      parentPort.postMessage({ type: 'ready', id, url: url.href });
    } catch (error) {
      open.delete(id);
      if (miniflare) await dispose(miniflare);
      parentPort.postMessage({ type: 'failed', id, error: String((error && error.stack) || error) });
    }
  } else if (message.type === 'dispose') {
    const miniflare = open.get(id);
    open.delete(id);
    if (miniflare) await dispose(miniflare);
    parentPort.postMessage({ type: 'disposed', id });
  }
});`;

/** What the thread tells the main thread. */
type ThreadMessage =
  | { type: 'spawned'; pid: number }
  | { type: 'exited'; pid: number }
  | { type: 'ready'; id: number; url: string }
  | { type: 'failed'; id: number; error: string }
  | { type: 'disposed'; id: number };

/**
 * Kills the processes in `pids` (workerd) if this process exits or is stopped by a signal, as
 * Miniflare's own hooks would in the main thread: `kill` does it now, `remove` takes the hooks away.
 */
function guardProcesses(pids: ReadonlySet<number>): { kill: () => void; remove: () => void } {
  const kill = () => {
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  process.on('exit', kill);
  for (const signal of signals) process.on(signal, onSignal);
  return {
    kill,
    remove() {
      process.off('exit', kill);
      for (const signal of signals) process.off(signal, onSignal);
    },
  };
}

/** The thread's answer to one open or dispose. */
type Answer = { url: string } | { error: string } | { disposed: true };

/** The thread that runs this process's Miniflares, and what the main thread knows of it. */
interface Host {
  thread: Worker;
  /** Answers awaited, by the id of the Miniflare they are about. */
  waiting: Map<number, (answer: Answer) => void>;
  /** Miniflares opened (or opening) and not yet disposed. */
  open: number;
  /** The processes the thread started and has not seen exit. */
  pids: Set<number>;
  /** The exit and signal hooks, while any Miniflare is open. */
  guard?: ReturnType<typeof guardProcesses>;
  /** Why the thread ended, once it has. */
  ended?: string;
}

let host: Host | undefined;
let nextId = 0;

/**
 * This process's thread, started at the first open. It holds the process open only while one of its
 * Miniflares is: in between, and after the last, it waits unreferenced, and goes when the process does.
 */
function hostThread(): Host {
  if (host) return host;
  const thread = new Worker(THREAD_SCRIPT, {
    eval: true,
    execArgv: [],
    workerData: { miniflare: createRequire(import.meta.url).resolve('miniflare') },
  });
  thread.unref();
  let threadError: unknown;
  thread.on('error', (error) => {
    threadError = error;
  });
  const started: Host = {
    thread,
    waiting: new Map(),
    open: 0,
    pids: new Set(),
  };
  // The thread's end, whatever ended it (an 'error' event comes before the 'exit'); every message
  // comes before it. Whatever it started and never saw exit is killed then, and whoever waits is
  // told why there is no answer; the next open starts a thread anew.
  thread.once('exit', (code) => {
    if (host === started) host = undefined;
    started.ended = threadError ? String(threadError) : `its thread ended (exit code ${code})`;
    killAndUnguard(started);
    for (const answer of started.waiting.values()) answer({ error: started.ended });
    started.waiting.clear();
  });
  thread.on('message', (message: ThreadMessage) => {
    if (message.type === 'spawned') started.pids.add(message.pid);
    else if (message.type === 'exited') started.pids.delete(message.pid);
    else {
      const answer = started.waiting.get(message.id);
      started.waiting.delete(message.id);
      answer?.(
        message.type === 'ready'
          ? { url: message.url }
          : message.type === 'failed'
            ? { error: message.error }
            : { disposed: true },
      );
    }
  });
  host = started;
  return started;
}

/** Kills what the thread started and never saw exit, and takes the hooks away. */
function killAndUnguard(of: Host): void {
  of.guard?.kill();
  of.guard?.remove();
  of.guard = undefined;
}

/** Sends `message` about Miniflare `id` to the thread and waits for its answer; never throws. */
function ask(
  of: Host,
  message: { type: 'open'; options: object },
  id: number,
): Promise<{ url: string } | { error: string }>;
function ask(
  of: Host,
  message: { type: 'dispose' },
  id: number,
): Promise<{ disposed: true } | { error: string }>;
function ask(of: Host, message: { type: 'open'; options: object } | { type: 'dispose' }, id: number) {
  return new Promise<Answer>((resolve) => {
    if (of.ended !== undefined) return resolve({ error: of.ended });
    of.waiting.set(id, resolve);
    try {
      of.thread.postMessage({ ...message, id });
    } catch (error) {
      // Options that cannot be sent: no answer will come.
      of.waiting.delete(id);
      resolve({ error: String(error) });
    }
  });
}

/** One Miniflare fewer: once none is open, what the thread started and never saw exit is killed. */
function closed(of: Host): void {
  of.open -= 1;
  if (of.open > 0) return;
  killAndUnguard(of);
  of.thread.unref();
}

export interface LocalWorker {
  /** One request to the worker; any answer but 2xx or 404 is thrown. */
  call(path: string, params: Record<string, string>, body?: string | ArrayBuffer): Promise<Response>;
  /** Stops the worker and its runtime; never throws. */
  dispose(): Promise<void>;
}

export async function openLocalWorker(options: {
  configPath: string;
  persistTo: string;
  /** The images bucket's name (wrangler.toml's IMAGES binding), when a publish may need it. */
  imagesBucket?: string;
}): Promise<LocalWorker> {
  const miniflareOptions = {
    modules: true,
    script: WORKER_SCRIPT,
    compatibilityDate: '2026-04-20',
    kvNamespaces: await kvNamespacesOf(options.configPath),
    kvPersist: localKvPath(options.persistTo),
    ...(options.imagesBucket && {
      r2Buckets: { [IMAGES_BINDING]: options.imagesBucket },
      r2Persist: localR2Path(options.persistTo),
    }),
  };
  const of = hostThread();
  const id = nextId++;
  if (of.open === 0) {
    of.guard = guardProcesses(of.pids);
    of.thread.ref();
  }
  of.open += 1;
  const started = await ask(of, { type: 'open', options: miniflareOptions }, id);
  if (!('url' in started)) {
    // The thread disposes of what it started before it answers with an error.
    closed(of);
    throw new Error(`the local state could not be opened: ${started.error}`);
  }
  const entry = started.url;
  let disposed: Promise<void> | undefined;
  return {
    async call(path, params, body) {
      const url = new URL(path, entry);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      // A connection per request, as Miniflare's own dispatch makes: a kept-alive one that workerd
      // closes after 5 s idle (a long stretch of building between two calls) fails the next request.
      const headers = { connection: 'close' };
      const response = await fetch(url, body === undefined ? { headers } : { method: 'POST', body, headers });
      if (!response.ok && response.status !== 404)
        throw new Error(`local state ${path}: ${await response.text()}`);
      return response;
    },
    // Once, however often it is called: each Miniflare counts once among those open.
    dispose() {
      disposed ??= ask(of, { type: 'dispose' }, id).then(() => closed(of));
      return disposed;
    },
  };
}
