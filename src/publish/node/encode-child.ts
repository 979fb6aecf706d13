// The child process that encode-aside.ts starts: reads its job (a line of JSON) from standard input,
// encodes the renditions into the rendition cache, an original at a time per slot, and reports each
// original done as a line of JSON on standard output. Its standard input stays open as a lifeline:
// it closes when the publish ends, however (exited, or killed), and the child then finishes the
// originals in flight, so that no rendition is left half written, starts no other, and exits. (No
// IPC channel: tsx, which runs the child, reports every module it loads over one when there is one.)
import { messageOf } from '../../shared/error-message';
import { runPool } from '../../shared/run-pool';
import { ImageEncodeError } from '../images';
import type { EncodeJob, EncodeReport } from './encode-aside';
import { sharpEncoder } from './encode-images';
import { cachedEncoder } from './rendition-cache';

let publishGone = false;
let working = false;
let input = '';

/** Tells the publish, once the line is written (the publish may be gone: then it is lost). */
const report = (message: EncodeReport) =>
  new Promise<void>((resolve) => {
    process.stdout.write(`${JSON.stringify(message)}\n`, () => resolve());
  });
process.stdout.on('error', () => {
  publishGone = true;
});

async function encodeAll(line: string): Promise<void> {
  working = true;
  let done = 0;
  try {
    const job = JSON.parse(line) as EncodeJob;
    const encode = cachedEncoder(sharpEncoder(job.contentDir), job.cacheDir);
    await runPool(job.missing, job.concurrency, async ({ plan, renditions }) => {
      if (publishGone) throw new Error('the publish ended');
      await encode(plan, renditions);
      done++;
      await report({ done });
    });
    await report({ finished: done });
  } catch (error) {
    await report(
      error instanceof ImageEncodeError
        ? { failed: error.reason, source: error.source }
        : { failed: messageOf(error) },
    );
    process.exitCode = 1;
  }
  // The open standard input would keep the child waiting: it ends here, its reports written.
  process.exit();
}

process.stdin
  .setEncoding('utf8')
  .on('data', (chunk: string) => {
    if (working) return;
    // Only the new chunk is searched: a first publish's job is megabytes.
    const end = chunk.indexOf('\n');
    if (end < 0) input += chunk;
    else void encodeAll(input + chunk.slice(0, end));
  })
  .on('end', () => {
    publishGone = true;
    if (!working) process.exit(0);
  })
  .on('error', () => {
    publishGone = true;
    if (!working) process.exit(0);
  });
