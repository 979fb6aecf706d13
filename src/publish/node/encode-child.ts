// The child process that encode-aside.ts starts: encodes the renditions it is sent into the rendition
// cache, an original at a time per slot, reports each original done, and exits. It ends when its
// publish does: a closed IPC channel (the publish ended, however) stops it between originals.
import { runPool } from '../../shared/run-pool';
import { ImageEncodeError } from '../images';
import type { EncodeJob, EncodeReport } from './encode-aside';
import { sharpEncoder } from './encode-images';
import { cachedEncoder } from './rendition-cache';

/** Tells the publish, if it is still there to hear it. */
const report = (message: EncodeReport) =>
  new Promise<void>((resolve) => {
    if (!process.send || !process.connected) resolve();
    else process.send(message, () => resolve());
  });

process.once('message', async (job: EncodeJob) => {
  const encode = cachedEncoder(sharpEncoder(job.contentDir), job.cacheDir);
  let done = 0;
  try {
    await runPool(job.missing, job.concurrency, async ({ plan, renditions }) => {
      if (!process.connected) throw new Error('the publish ended');
      await encode(plan, renditions);
      done++;
      await report({ done });
    });
    await report({ finished: done });
  } catch (error) {
    await report(
      error instanceof ImageEncodeError
        ? { failed: error.reason, source: error.source }
        : { failed: error instanceof Error ? error.message : String(error) },
    );
    process.exitCode = 1;
  }
  if (process.connected) process.disconnect();
});
// Started without a channel (not by encode-aside.ts), there is nothing to do.
if (!process.send) process.exitCode = 2;
