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
 * which would only slow the load; the thread answers with the address of the worker's entry.
 * Miniflare kills workerd from process exit and signal hooks, which never run in a thread, so the
 * thread names each process it starts and the main thread kills them (guardProcesses).
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
const miniflare = new Miniflare(workerData.options);
const dispose = () => miniflare.dispose().catch(() => undefined);
miniflare.ready.then(
  (url) => parentPort.postMessage({ type: 'ready', url: url.href }),
  async (error) => {
    await dispose();
    parentPort.postMessage({ type: 'failed', error: String((error && error.stack) || error) });
    parentPort.close();
  },
);
parentPort.on('message', async () => {
  await dispose();
  parentPort.close();
});`;

/** What the thread tells the main thread. */
type ThreadMessage =
  | { type: 'spawned'; pid: number }
  | { type: 'exited'; pid: number }
  | { type: 'ready'; url: string }
  | { type: 'failed'; error: string };

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
  const thread = new Worker(THREAD_SCRIPT, {
    eval: true,
    execArgv: [],
    workerData: { miniflare: createRequire(import.meta.url).resolve('miniflare'), options: miniflareOptions },
  });
  // The processes the thread started and has not seen exit.
  const pids = new Set<number>();
  const guard = guardProcesses(pids);
  let threadError: unknown;
  thread.on('error', (error) => {
    threadError = error;
  });
  // The thread's end, whatever ended it (an 'error' event comes before the 'exit').
  const threadEnded = new Promise<number>((resolve) => thread.once('exit', resolve));
  const answer = new Promise<{ url: string } | { error: string }>((resolve) => {
    thread.on('message', (message: ThreadMessage) => {
      if (message.type === 'spawned') pids.add(message.pid);
      else if (message.type === 'exited') pids.delete(message.pid);
      else resolve(message.type === 'ready' ? { url: message.url } : { error: message.error });
    });
    void threadEnded.then((code) =>
      resolve({ error: threadError ? String(threadError) : `its thread ended (${code}) before it started` }),
    );
  });
  // Once the thread has ended, a process it started and never saw exit (its dispose failed, or the
  // thread died) is killed, and the hooks go: every message comes before the thread's 'exit'.
  const afterThread = async () => {
    await threadEnded;
    guard.kill();
    guard.remove();
  };
  const started = await answer;
  if ('error' in started) {
    // The thread disposes of what it started before it answers with an error.
    await afterThread();
    throw new Error(`the local state could not be opened: ${started.error}`);
  }
  const entry = started.url;
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
    async dispose() {
      thread.postMessage('dispose');
      await afterThread();
    },
  };
}
