// The publish command (`npm run publish`, whose entry point is cli.ts): validates content/, plans the
// minimal set of KV writes and applies them in a safe order. Any invalid file stops it before anything
// is written. It reads its arguments, the environment and the working directory like any command, and
// prints through the console; tests call it in their own process as well as through cli.ts.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compileContent } from '../../content/compile';
import { ContentError, formatProblem } from '../../content/problems';
import { encodePublicKey, keyIdHex, type SecretKey } from '../../mirrors/minisign';
import { checkSigningKey, SigningKeyError } from '../mirror-list';
import { applyPlan, type PreparedPublish, preparePublish, StoredStateError } from '../pipeline';
import { KvLimitError } from '../plan';
import { pushEventOf } from '../push-event';
import { releaseTimes } from '../schedule';
import { KvApiConfigError, KvApiError, type KvApiSettings } from './cloudflare-kv';
import { openCompileCache, type PersistentCompileCache } from './compile-cache';
import { openLocalStore, openRemoteStore, remoteSettings, StoreReadError } from './kv-store';
import { notifyWorker } from './push-client';
import { readContent } from './read-content';
import { localDevelopmentKey, SIGNING_KEY_ENV, SIGNING_KEY_FILE_ENV, signingKeyFromEnv } from './signing-key';

/** Where `--preview` keeps its state unless told otherwise: apart from what `npm start` serves. */
const PREVIEW_STATE = '.wrangler/preview';

const USAGE = `Usage: npm run publish -- (--local | --remote) [--dry-run] [--repair] [--preview] [--content DIR] [--public DIR] [--persist-to DIR]

  --local          write to the local KV state that \`npm start\` / \`wrangler dev\` serve
  --remote         write to the deployed KV namespace through Cloudflare's API
                   (needs CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID)
  --dry-run        validate and print the plan; write nothing (plans against --local by default)
  --repair         rewrite every record derived from content/, whatever is stored, keeping the
                   change log's sequence (its unreadable pages are marked lost, and every live
                   article is logged again): the way out when a stored record is corrupt
  --preview        local only: publish drafts and scheduled articles too, each marked "Draft — not
                   published" on its page,
                   into ${PREVIEW_STATE} unless --persist-to says otherwise (\`npm run preview\`);
                   refused with --remote
  --content DIR    content folder (default: content)
  --public DIR     static assets folder, for image sizes (default: public)
  --persist-to DIR local state folder, as in \`wrangler dev --persist-to\` (default: .wrangler/state,
                   or ${PREVIEW_STATE} with --preview)
  --config FILE    wrangler configuration (default: wrangler.toml)

  When site.yaml sets signing_key, the secret key comes from ${SIGNING_KEY_ENV} (base64) or
  ${SIGNING_KEY_FILE_ENV} (a path); without it publish stops before writing anything. A local
  publish without one signs with a development key kept in the local state, and says so.`;

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

/** Reports a phase's running total about ten times, whatever its size, and when it completes. */
function createPhaseProgress(progress: (message: string) => void, label: string, total: number) {
  const step = Math.max(1000, Math.ceil(total / 10));
  let reported = 0;
  return (done: number) => {
    if (done !== total && Math.floor(done / step) === Math.floor(reported / step)) return;
    reported = done;
    progress(`${label}: ${done}/${total}`);
  };
}

/**
 * When the publish happens: now, or SOURCE_DATE_EPOCH (seconds since 1970, the reproducible-builds
 * convention), so the same content can be published twice into identical records.
 */
function publishTime(env: NodeJS.ProcessEnv): Date | undefined {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === '') return new Date();
  return /^\d+$/.test(raw) ? new Date(Number(raw) * 1000) : undefined;
}

/** Runs `npm run publish -- …argv` and returns the exit code. */
export async function publishCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      repair: { type: 'boolean', default: false },
      preview: { type: 'boolean', default: false },
      content: { type: 'string', default: 'content' },
      public: { type: 'string', default: 'public' },
      'persist-to': { type: 'string' },
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
  // Drafts must never reach the deployed namespace: refused before any credential, file or key is read.
  if (values.preview && values.remote) {
    console.error(
      'publish: --preview publishes drafts and is for local previews only; it cannot be used with --remote.',
    );
    return 2;
  }
  const persistTo = values['persist-to'] ?? (values.preview ? PREVIEW_STATE : '.wrangler/state');

  const now = publishTime(process.env);
  if (!now) {
    console.error('publish: SOURCE_DATE_EPOCH must be whole seconds since 1970');
    return 2;
  }
  // Credentials are checked before anything is read, so a missing token costs no compile and no request.
  let remote: KvApiSettings | undefined;
  if (values.remote) {
    try {
      remote = await remoteSettings(values.config, process.env);
    } catch (error) {
      if (!(error instanceof KvApiConfigError)) throw error;
      console.error(`publish: ${error.message}`);
      return 2;
    }
  }

  const started = performance.now();
  const progress = createProgress(started);
  let content: ReturnType<typeof compileContent>;
  // The compile cache lives beside the state it was published to (local) or under .wrangler (remote).
  const cachePath = join(
    values.remote ? '.wrangler/publish-cache' : persistTo,
    values.remote ? 'remote-compiled.json' : 'mirrorwire-compiled.json',
  );
  let compileCache: PersistentCompileCache | undefined;
  try {
    const input = await readContent(values.content, values.public);
    progress(`${input.articles.length} files read`);
    compileCache = await openCompileCache(cachePath, input);
    content = compileContent(input, compileCache, { preview: values.preview });
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    for (const problem of error.problems) console.error(formatProblem(problem));
    console.error(`publish: ${error.problems.length} problem(s); nothing was written.`);
    return 1;
  }
  const drafts = values.preview
    ? `${content.articles.filter((article) => article.draft).length} drafts included for the preview`
    : `${content.drafts} drafts skipped`;
  progress(
    `${content.articles.length} articles valid (${drafts}, ${compileCache?.hits ?? 0} unchanged files not recompiled)`,
  );

  // The signing key is settled before KV is even opened: a publish that cannot sign writes nothing.
  let signingKey: SecretKey | null;
  try {
    signingKey = await signingKeyFromEnv(process.env);
    if (signingKey === null && !values.remote && content.site.signing_key !== undefined) {
      signingKey = await localDevelopmentKey(persistTo);
      content = { ...content, site: { ...content.site, signing_key: encodePublicKey(signingKey) } };
      console.log(
        `publish: no ${SIGNING_KEY_ENV} or ${SIGNING_KEY_FILE_ENV}: the local site signs mirrors.json with development key ${keyIdHex(signingKey.keyId)}, not site.yaml's signing_key.`,
      );
    }
    checkSigningKey(content.site, signingKey);
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    console.error(`publish: ${error.message}; nothing was written.`);
    return 1;
  }

  const store = remote
    ? openRemoteStore(remote, progress)
    : await openLocalStore({ configPath: values.config, persistTo: persistTo });
  // What a failure message can say: whether writing began, and how many writes KV confirmed.
  let writing = false;
  let confirmed = 0;
  try {
    let prepared: PreparedPublish;
    try {
      prepared = await preparePublish(content, store, now, {
        signingKey,
        repair: values.repair,
        preview: values.preview,
      });
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
    const { records, plan, releases } = prepared;
    if (prepared.scheduled) {
      const next = releases[0] ? `, next release at ${releases[0].at}` : '';
      progress(
        `${prepared.scheduled} scheduled article(s) held back${next} (${releases.length} release(s) staged)`,
      );
      const beyond = releaseTimes(content, now).length - releases.length;
      if (beyond > 0)
        console.warn(
          `publish: ${beyond} later release(s) are not staged yet: publish again after the first ones go live.`,
        );
    }
    progress(`${records.articles.size + records.indexes.size + records.changes.size + 1} records built`);
    const writes = plan.phases.reduce((n, phase) => n + phase.writes.length, 0);
    const detail = plan.phases.map((p) => `${p.writes.length} ${p.name}`).join(', ');
    progress(`${writes} to write (${detail}), ${plan.deletes.length} to delete, ${plan.unchanged} unchanged`);
    if (values['dry-run']) {
      for (const phase of plan.phases) for (const w of phase.writes) console.log(`  write ${w.key}`);
      for (const key of plan.retire) console.log(`  retire ${key}`);
      for (const key of plan.deletes) console.log(`  delete ${key}`);
      console.log('publish: dry run, nothing written.');
      return 0;
    }
    writing = true;
    await applyPlan(plan, {
      async put(phaseWrites, phase) {
        const report = createPhaseProgress(progress, `${phase} written`, phaseWrites.length);
        const before = confirmed;
        await store.put(phaseWrites, (done) => {
          confirmed = before + done;
          report(done);
        });
      },
      delete: (keys) => store.delete(keys, createPhaseProgress(progress, 'deleted', keys.length)),
    });
    // Saved only once the writes succeeded, so a failed publish recompiles next time.
    await compileCache?.save();
    const head = records.manifest.manifest.changes?.head ?? 0;
    progress(`done, content version ${records.manifest.manifest.version}, change log at ${head}`);
    // WebSub pings and partner webhooks (docs/push.md): after the writes, never instead of them.
    await notifyWorker({
      event: pushEventOf(prepared),
      local: !remote,
      primary: content.site.primary,
      persistTo,
      log: progress,
    });
    return 0;
  } catch (error) {
    // What only KV knows can still make a file wrong: an id removed earlier, reused.
    if (error instanceof ContentError) {
      for (const problem of error.problems) console.error(formatProblem(problem));
      console.error(`publish: ${error.problems.length} problem(s); nothing was written.`);
      return 1;
    }
    if (error instanceof StoredStateError) {
      console.error(`publish: ${error.message}.`);
      return 1;
    }
    if (!(error instanceof KvApiError || error instanceof StoreReadError)) throw error;
    // A failed read stops the publish at its first write (StoreReadError), before anything is sent.
    // Once writing began, the ordered phases keep the live site consistent and a re-run skips what
    // is already stored.
    const outcome =
      writing && !(error instanceof StoreReadError)
        ? `stopped after ${confirmed} confirmed writes; the site is consistent, and running the same command again finishes the job`
        : 'nothing was written';
    console.error(`publish: ${error.message}; ${outcome}.`);
    return 1;
  } finally {
    await store.close();
  }
}
