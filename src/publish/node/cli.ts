// `npm run publish -- --local | --remote | --dry-run`: validates content/, plans the minimal set
// of KV writes and applies them in a safe order. Any invalid file stops it before anything is written.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileContent } from '../../content/compile';
import { ContentError, formatProblem } from '../../content/problems';
import { applyPlan, type PreparedPublish, preparePublish } from '../pipeline';
import { KvLimitError } from '../plan';
import { openCompileCache, type PersistentCompileCache } from './compile-cache';
import { openLocalStore, openRemoteStore } from './kv-store';
import { readContent } from './read-content';

const USAGE = `Usage: npm run publish -- (--local | --remote) [--dry-run] [--content DIR] [--public DIR] [--persist-to DIR]

  --local          write to the local KV state that \`npm start\` / \`wrangler dev\` serve
  --remote         write to the deployed KV namespace (needs CLOUDFLARE_API_TOKEN)
  --dry-run        validate and print the plan; write nothing (plans against --local by default)
  --content DIR    content folder (default: content)
  --public DIR     static assets folder, for image sizes (default: public)
  --persist-to DIR local state folder, as in \`wrangler dev --persist-to\` (default: .wrangler/state)
  --config FILE    wrangler configuration (default: wrangler.toml)`;

/** A long section slug can put hundreds of keys over the limit: the first few say enough. */
const MAX_REFUSALS_SHOWN = 10;

/** Progress lines carry elapsed time and resident memory, so a slow or swelling stage shows itself. */
function createProgress(started: number) {
  return (message: string) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const rssMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
    console.log(`publish: [${seconds} s, ${rssMiB} MiB] ${message}`);
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      content: { type: 'string', default: 'content' },
      public: { type: 'string', default: 'public' },
      'persist-to': { type: 'string', default: '.wrangler/state' },
      config: { type: 'string', default: 'wrangler.toml' },
      help: { type: 'boolean', default: false },
    },
  });
  if (
    values.help ||
    (values.local && values.remote) ||
    (!values.local && !values.remote && !values['dry-run'])
  ) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }

  const started = performance.now();
  const progress = createProgress(started);
  let content: ReturnType<typeof compileContent>;
  // The compile cache lives beside the state it was published to (local) or under .wrangler (remote).
  const cachePath = join(
    values.remote ? '.wrangler/publish-cache' : values['persist-to'],
    values.remote ? 'remote-compiled.json' : 'mirrorwire-compiled.json',
  );
  let compileCache: PersistentCompileCache | undefined;
  try {
    const input = await readContent(values.content, values.public);
    progress(`${input.articles.length} files read`);
    compileCache = await openCompileCache(cachePath, input);
    content = compileContent(input, compileCache);
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`publish: ${error.problems.length} problem(s); nothing was written.`);
    return 1;
  }
  progress(
    `${content.articles.length} articles valid (${content.drafts} drafts skipped, ${compileCache?.hits ?? 0} unchanged files not recompiled)`,
  );

  const store = values.remote
    ? await openRemoteStore({ configPath: values.config })
    : await openLocalStore({ configPath: values.config, persistTo: values['persist-to'] });
  try {
    let prepared: PreparedPublish;
    try {
      prepared = await preparePublish(content, store, new Date());
    } catch (error) {
      if (!(error instanceof KvLimitError)) throw error;
      for (const refusal of error.refusals.slice(0, MAX_REFUSALS_SHOWN)) console.error(`publish: ${refusal}`);
      const more = error.refusals.length - MAX_REFUSALS_SHOWN;
      if (more > 0) console.error(`publish: … and ${more} more`);
      console.error(
        `publish: ${error.refusals.length} record(s) over Workers KV limits; nothing was written.`,
      );
      return 1;
    }
    const { records, plan } = prepared;
    progress(`${records.articles.size + records.indexes.size + records.changes.size + 1} records built`);
    const writes = plan.phases.reduce((n, phase) => n + phase.writes.length, 0);
    const detail = plan.phases.map((p) => `${p.writes.length} ${p.name}`).join(', ');
    progress(`${writes} to write (${detail}), ${plan.deletes.length} to delete, ${plan.unchanged} unchanged`);
    if (values['dry-run']) {
      for (const phase of plan.phases) for (const w of phase.writes) console.log(`  write ${w.key}`);
      for (const key of plan.deletes) console.log(`  delete ${key}`);
      console.log('publish: dry run, nothing written.');
      return 0;
    }
    await applyPlan(plan, {
      put: (writes, phase) =>
        store.put(writes, (done) => {
          // About ten lines per phase, whatever its size.
          const step = Math.max(1000, Math.ceil(writes.length / 10));
          if (writes.length >= 1000 && (done % step < 64 || done === writes.length))
            progress(`${phase}: ${done}/${writes.length} written`);
        }),
      delete: (keys) => store.delete(keys),
    });
    // Saved only once the writes succeeded, so a failed publish recompiles next time.
    await compileCache?.save();
    const head = records.manifest.manifest.changes?.head ?? 0;
    progress(`done, content version ${records.manifest.manifest.version}, change log at ${head}`);
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
