// `npm run publish -- --local | --remote | --dry-run`: the command itself is publish-command.ts.
import { setFlagsFromString } from 'node:v8';
import { publishCommand } from './publish-command';
import { v8FlagGiven } from './v8-flags';

/** Sets a V8 flag unless `node` was given it on its command line. */
function defaultV8Flag(name: string, setting: string): void {
  if (!v8FlagGiven(process.execArgv, name)) setFlagsFromString(setting);
}

// A publish holds a large, long-lived heap and makes much short-lived garbage. V8's default lets
// the heap grow up to four times what survived the last full collection before collecting again:
// at 100,000 articles that is gigabytes of garbage held. A quarter more bounds the peak near what
// is live, for a few per cent more time in collections (docs/publishing-measured.md, "Memory, measured",
// and "How far the heap may grow, again"). `--heap-growing-percent=0` is V8's own heuristic.
defaultV8Flag('heap-growing-percent', '--heap-growing-percent=25');

// V8 allocates straight into the old generation at an allocation site whose objects mostly
// survived; the compile keeps an article's few objects and drops the rest made at the same sites
// (the YAML parser's, the sanitiser's), which then fill the old generation until the next full
// collection, pinning young objects they point to. With pretenuring off, a first publish of
// 100,000 articles held 13–20 % less once compiled (docs/publishing-measured.md, "Objects made old at
// birth").
defaultV8Flag('allocation-site-pretenuring', '--no-allocation-site-pretenuring');

process.exitCode = await publishCommand(process.argv.slice(2));
