// `npm run publish -- --local | --remote | --dry-run`: validates content/, plans the minimal set
// of KV writes and applies them in a safe order. Any invalid file stops it before anything is written.
import { parseArgs } from 'node:util';
import { manifestSchema } from '../../articles/article';
import { manifestKey } from '../../articles/keys';
import { compileContent } from '../../content/compile';
import { ContentError, formatProblem } from '../../content/problems';
import { buildRecords } from '../build-records';
import { planPublish } from '../plan';
import { type KvStore, openLocalStore, openRemoteStore } from './kv-store';
import { readContent } from './read-content';

const USAGE = `Usage: npm run publish -- (--local | --remote) [--dry-run] [--content DIR] [--public DIR] [--persist-to DIR]

  --local          write to the local KV state that \`npm start\` / \`wrangler dev\` serve
  --remote         write to the deployed KV namespace (needs CLOUDFLARE_API_TOKEN)
  --dry-run        validate and print the plan; write nothing (plans against --local by default)
  --content DIR    content folder (default: content)
  --public DIR     static assets folder, for image sizes (default: public)
  --persist-to DIR local state folder, as in \`wrangler dev --persist-to\` (default: .wrangler/state)
  --config FILE    wrangler configuration (default: wrangler.toml)`;

async function loadPrevious(store: KvStore) {
  const text = await store.getText(manifestKey());
  if (!text) return null;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // A garbled manifest is what a publish repairs: treat it as absent rather than refuse to run.
    return null;
  }
  const parsed = manifestSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
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
  let content: ReturnType<typeof compileContent>;
  try {
    content = compileContent(await readContent(values.content, values.public));
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`publish: ${error.problems.length} problem(s); nothing was written.`);
    return 1;
  }
  console.log(`publish: ${content.articles.length} articles valid (${content.drafts} drafts skipped)`);

  const store = values.remote
    ? await openRemoteStore({ configPath: values.config })
    : await openLocalStore({ configPath: values.config, persistTo: values['persist-to'] });
  try {
    const records = await buildRecords(content, { previous: await loadPrevious(store), now: new Date() });
    const plan = await planPublish(records, await store.listKeys());
    const writes = plan.phases.reduce((n, phase) => n + phase.writes.length, 0);
    const detail = plan.phases.map((p) => `${p.writes.length} ${p.name}`).join(', ');
    console.log(
      `publish: ${writes} to write (${detail}), ${plan.deletes.length} to delete, ${plan.unchanged} unchanged`,
    );
    if (values['dry-run']) {
      for (const phase of plan.phases) for (const w of phase.writes) console.log(`  write ${w.key}`);
      for (const key of plan.deletes) console.log(`  delete ${key}`);
      console.log('publish: dry run, nothing written.');
      return 0;
    }
    for (const phase of plan.phases) {
      await store.put(phase.writes, (done) => {
        if (phase.writes.length >= 1000) console.log(`  ${phase.name}: ${done}/${phase.writes.length}`);
      });
    }
    await store.delete(plan.deletes);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`publish: done in ${seconds} s, content version ${records.manifest.manifest.version}`);
    return 0;
  } finally {
    await store.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
