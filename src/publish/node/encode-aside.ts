// Image renditions encoded in a child process while the publish builds its records. Encoded in the
// publish itself, after its plan, the photos of a first publish took 45–47 s of 128–143 at 10,000
// articles, and libvips' threads left their memory arenas in the publish for the rest of its
// writes: the largest single step of its peak (docs/publishing-measured.md, "The photos encoded beside the
// build"). The child writes each rendition into the rendition cache (rendition-cache.ts), from which
// the upload then reads it, so what reaches the bucket is the same bytes. It runs below the
// publish's priority, so the build keeps its core. A photo it cannot encode stops the publish before
// any upload (image-problems.ts); a child that fails for any other reason costs time only, as the
// upload encodes what the cache lacks itself. Without a rendition cache
// (`MIRRORWIRE_RENDITION_CACHE=off`) there is nowhere to put them, and nothing is encoded aside.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { messageOf } from '../../shared/error-message';
import type { ImagePlan, Rendition } from '../images';

/** What the child is sent: the originals (relative to `contentDir`) and the renditions each lacks. */
export interface EncodeJob {
  contentDir: string;
  cacheDir: string;
  missing: { plan: ImagePlan; renditions: Rendition[] }[];
  /** Originals encoded at once (each encodes its renditions side by side on libvips' own threads). */
  concurrency: number;
}

/**
 * What the child tells: an original done (the count so far), the end, or why it stopped (with the
 * original, when that one cannot be encoded: ImageEncodeError).
 */
export type EncodeReport = { done: number } | { finished: number } | { failed: string; source?: string };

/** Why the child stopped: an original it could not encode (`source`), or the child itself. */
export interface EncodingStopped {
  reason: string;
  source?: string;
}

export interface EncodingAside {
  /** Settles when the child has ended: undefined once every original is in the cache, else why not. */
  finished: Promise<EncodingStopped | undefined>;
  /** Tells the child to end (a publish that stops early) and waits for it; safe to call again. */
  stop(): Promise<void>;
}

/** The child's entry point, run as TypeScript through tsx's loader (the publish itself runs bundled: scripts/run-bundled.mjs). */
const CHILD = fileURLToPath(new URL('./encode-child.ts', import.meta.url));

/** Two originals at a time: libvips already encodes each one's six renditions on every core. */
const ORIGINALS_AT_ONCE = 2;

/** How long a child told to end may take over the originals in flight (large photos take seconds). */
const STOP_GRACE_MS = 15_000;

/** A nice value of 10: below the publish, which keeps its core while it builds. */
const CHILD_PRIORITY = 10;

export function encodeAside(
  job: Omit<EncodeJob, 'concurrency'>,
  onImage?: (done: number) => void,
): EncodingAside {
  let child: ChildProcess | undefined;
  // Never a rejection: a publish that ends before it awaits this must not fail on it.
  const finished = new Promise<EncodingStopped | undefined>((resolve) => {
    let outcome: EncodingStopped | undefined = { reason: 'the encoding child ended without a word' };
    let stderr = '';
    try {
      // Resolved here, not when the module loads: a loader that cannot be found costs the photos'
      // head start only, and the publish encodes them itself.
      const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
      child = spawn(process.execPath, ['--import', loader, CHILD], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      resolve({ reason: messageOf(error) });
      return;
    }
    try {
      if (child.pid !== undefined) setPriority(child.pid, CHILD_PRIORITY);
    } catch {
      // Not allowed here: the child runs at the publish's own priority.
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    if (child.stdout)
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = reportIn(line);
        if (!message) return;
        if ('done' in message) onImage?.(message.done);
        else if ('finished' in message) outcome = undefined;
        else
          outcome = {
            reason: message.failed,
            ...(message.source !== undefined && { source: message.source }),
          };
      });
    child.on('error', (error) => {
      outcome = { reason: error.message };
    });
    // 'close', not 'exit': once its output is all read, so that its last report is not lost.
    child.on('close', (code, signal) => {
      if (outcome?.source !== undefined || (outcome === undefined && code === 0)) {
        resolve(outcome);
        return;
      }
      const reason = outcome
        ? `${outcome.reason}${signal ? ` (${signal})` : ''}`
        : `the encoding child exited with ${code ?? signal}`;
      // A child that died says why in the last line of its stderr but Node's own version line.
      const last = stderr
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '' && !/^Node\.js v\d/.test(line))
        .at(-1);
      resolve({ reason: last ? `${reason}: ${last}` : reason });
    });
    // The job, then nothing: its standard input stays open until the publish ends (encode-child.ts).
    child.stdin?.on('error', () => undefined);
    child.stdin?.write(`${JSON.stringify({ ...job, concurrency: ORIGINALS_AT_ONCE } satisfies EncodeJob)}\n`);
  });
  return {
    finished,
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      // Told by its closed input, the child finishes the originals in flight and ends on its own (a
      // signal could cut a rendition short and leave its temporary file in the cache); one that has
      // not ended by then never will, and is killed.
      child.stdin?.end();
      let timer: NodeJS.Timeout | undefined;
      const ended = await Promise.race([
        finished.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (!ended) child.kill('SIGKILL');
    },
  };
}

/** A line the child wrote, if it is one of its reports. */
function reportIn(line: string): EncodeReport | undefined {
  try {
    const message = JSON.parse(line) as unknown;
    if (typeof message !== 'object' || message === null) return undefined;
    if ('done' in message || 'finished' in message || 'failed' in message) return message as EncodeReport;
  } catch {
    // Not a report: something the child's libraries printed.
  }
  return undefined;
}
