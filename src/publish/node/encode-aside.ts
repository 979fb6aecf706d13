// Image renditions encoded in a child process while the publish builds its records. Encoded in the
// publish itself, after its plan, the photos of a first publish were a third of its wall time (42.8
// of 126 s at 10,000 articles), and libvips' threads left their memory arenas in the publish for the
// rest of its writes: the largest single step of its peak (docs/performance.md). The child writes
// each rendition into the rendition cache (rendition-cache.ts), from which the upload then reads it,
// so what reaches the bucket is the same bytes, and a child that fails costs nothing but time: the
// upload encodes what the cache lacks itself, and reports its error as before. Without a rendition
// cache (`MIRRORWIRE_RENDITION_CACHE=off`) there is nowhere to put them, and nothing is encoded aside.
import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /** Ends the child now (a publish that stops, or a dry run); safe to call again. */
  stop(): void;
}

/** The child's entry point, and the loader that lets Node run it as TypeScript (the publish's own). */
const CHILD = fileURLToPath(new URL('./encode-child.ts', import.meta.url));
const TS_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Two originals at a time: libvips already encodes each one's six renditions on every core. */
const ORIGINALS_AT_ONCE = 2;

export function encodeAside(
  job: Omit<EncodeJob, 'concurrency'>,
  onImage?: (done: number) => void,
): EncodingAside {
  let child: ChildProcess | undefined;
  const finished = new Promise<EncodingStopped | undefined>((resolve) => {
    let outcome: EncodingStopped | undefined = { reason: 'the encoding child ended without a word' };
    let stderr = '';
    try {
      child = fork(CHILD, [], {
        execArgv: ['--import', TS_LOADER],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
    } catch (error) {
      resolve({ reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    child.stderr?.on('data', (chunk: Buffer) => {
      // Only the end is kept: it says why, if the child died.
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (message: EncodeReport) => {
      if ('done' in message) onImage?.(message.done);
      else if ('finished' in message) outcome = undefined;
      else
        outcome = { reason: message.failed, ...(message.source !== undefined && { source: message.source }) };
    });
    child.on('error', (error) => {
      outcome = { reason: error.message };
    });
    child.on('exit', (code, signal) => {
      if (outcome === undefined && code !== 0)
        outcome = { reason: `the encoding child exited with ${code ?? signal}` };
      // A child that died says why on its stderr.
      if (outcome && outcome.source === undefined && stderr.trim() !== '')
        outcome = { reason: `${outcome.reason}: ${stderr.trim()}` };
      resolve(outcome);
    });
    try {
      child.send({ ...job, concurrency: ORIGINALS_AT_ONCE } satisfies EncodeJob);
    } catch (error) {
      // Never a rejection: a publish that ends before it awaits this must not fail on it.
      outcome = { reason: error instanceof Error ? error.message : String(error) };
      child.kill();
    }
  });
  return {
    finished,
    stop() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill();
    },
  };
}
