// `npm run publish -- --local | --remote | --dry-run`: the command itself is publish-command.ts.
import { setFlagsFromString } from 'node:v8';
import { publishCommand } from './publish-command';

// A publish holds a large, long-lived heap and makes much short-lived garbage. V8's default lets
// the heap grow up to four times what survived the last full collection before collecting again:
// at 100,000 articles that is gigabytes of garbage held. A quarter more bounds the peak near what
// is live, for a few per cent more time in collections (docs/performance.md, "Memory, measured",
// and "How far the heap may grow, again"). A value given to node itself
// (`--heap-growing-percent=0` is V8's own heuristic) is left as given.
if (!process.execArgv.some((flag) => /^--heap[-_]growing[-_]percent\b/.test(flag)))
  setFlagsFromString('--heap-growing-percent=25');

process.exitCode = await publishCommand(process.argv.slice(2));
