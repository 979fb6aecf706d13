// A process that opens the local worker over a state folder (argv[2]), says `ready`, and holds it
// until it is stopped, or for a minute at most: local-worker.test.ts stops it with a signal.
import { join } from 'node:path';
import { openLocalWorker } from '../../src/publish/node/local-worker';

const worker = await openLocalWorker({
  configPath: join(import.meta.dirname, '../../wrangler.toml'),
  persistTo: process.argv[2] ?? 'state',
});
console.log('ready');
setTimeout(() => void worker.dispose(), 60_000);
