// The publish command (`npm run publish`, whose entry point is cli.ts): validates content/, plans the
// minimal set of KV writes and applies them in a safe order, after uploading the image renditions they
// link to. Any invalid file stops it before anything is written. It reads its arguments, the environment
// and the working directory like any command, and prints through the console; tests call it in their
// own process as well as through cli.ts.
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SiteConfig } from '../../config/site-config';
import { compileContent, imageSourceOf } from '../../content/compile';
import { ContentError, formatProblem } from '../../content/problems';
import { encodePublicKey, keyIdHex, type SecretKey } from '../../mirrors/minisign';
import { writerTokenKey } from '../../storage/keys';
import type { GroupIndexSink } from '../group-index';
import { filesShowing, imageEncodeProblems } from '../image-problems';
import { type ImageBucket, ImageEncodeError, renditionsToUpload, uploadImages } from '../images';
import { checkSigningKey, SigningKeyError } from '../mirror-list';
import { applyPlan, type PreparedPublish, preparePublish, StoredStateError } from '../pipeline';
import { KvLimitError, type PublishPlan } from '../plan';
import { pushEventOf } from '../push-event';
import { releaseTimes } from '../schedule';
import { beginArticleWalk, saveRecordedFolders } from './changed-files';
import type { KvApiSettings } from './cloudflare-kv';
import { openCompileCache, openFileTable, type PersistentCompileCache } from './compile-cache';
import { editedInPlace } from './edited-in-place';
import { encodeAside } from './encode-aside';
import { sharpEncoder } from './encode-images';
import { openGroupIndex } from './group-index-file';
import { type KvStore, localStore, openRemoteStore, remoteSettings, StoreReadError } from './kv-store';
import {
  commitPublish,
  newWriterToken,
  openListingSnapshot,
  putWriterToken,
  rememberedListing,
} from './listing-snapshot';
import { localKvPath } from './local-kv';
import { bucketNameOf, IMAGES_BINDING, localImageBucket } from './local-r2';
import { type LocalWorker, openLocalWorker } from './local-worker';
import { sha256BytesSync } from './node-digest';
import { type EditTaken, planPublishByKey } from './publish-by-key';
import { LockFileError, lockPathOf, lockPublish, PublishLockedError } from './publish-lock';
import { notifyWorker } from './push-client';
import { createR2Bucket, type R2ApiSettings, r2SettingsFromEnv } from './r2-s3';
import { type ContentOnDisk, fileStamps, readContent } from './read-content';
import { openRecordMemo } from './record-memo-file';
import { RemoteApiError, RemoteConfigError } from './remote-retry';
import { cachedEncoder, renditionCacheDir } from './rendition-cache';
import { localDevelopmentKey, SIGNING_KEY_ENV, SIGNING_KEY_FILE_ENV, signingKeyFromEnv } from './signing-key';
import { openSpill } from './spill-store';
import { openStoredRenditions } from './stored-renditions';

/** Where a publish's scratch file lives (wrangler keeps its own there too); the file goes when the publish ends. */
const SCRATCH_DIR = '.wrangler/tmp';

/** Where `--preview` keeps its state unless told otherwise: apart from what `npm start` serves. */
const PREVIEW_STATE = '.wrangler/preview';

const USAGE = `Usage: npm run publish -- (--local | --remote) [--dry-run] [--repair] [--preview] [--every-article] [--content DIR] [--persist-to DIR]

  --local          write to the local KV and R2 state that \`npm start\` / \`wrangler dev\` serve
  --remote         write to the deployed KV namespace through Cloudflare's API (needs
                   CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID), and article images to the R2
                   bucket through its S3 API (needs R2_ACCESS_KEY_ID and R2_SECRET_ACCESS_KEY)
  --dry-run        validate and print the plan; write nothing (plans against --local by default)
  --repair         rewrite every record derived from content/, whatever is stored, keeping the
                   change log's sequence (its unreadable pages are marked lost, and every live
                   article is logged again): the way out when a stored record is corrupt
  --preview        local only: publish drafts and scheduled articles too, each marked "Draft — not
                   published" on its page,
                   into ${PREVIEW_STATE} unless --persist-to says otherwise (\`npm run preview\`);
                   refused with --remote
  --every-article  publish every article, even when the files changed since this machine's last
                   publish are a few articles edited in place, which are otherwise published by
                   key (README.md, "Publishing")
  --content DIR    content folder, with articles/, images/ and site.yaml (default: content)
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

/**
 * Reports a phase's running total about ten times, whatever its size, and when it completes; a
 * report before the end adds the rate so far and the time it leaves: `4000/17595 (310/s, about 44 s left)`.
 */
function createPhaseProgress(progress: (message: string) => void, label: string, total: number) {
  const step = Math.max(1000, Math.ceil(total / 10));
  const started = performance.now();
  let reported = 0;
  return (done: number) => {
    if (done !== total && Math.floor(done / step) === Math.floor(reported / step)) return;
    reported = done;
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const pace =
      done < total && rate > 0
        ? ` (${Math.round(rate)}/s, about ${Math.ceil((total - done) / rate)} s left)`
        : '';
    progress(`${label}: ${done}/${total}${pace}`);
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

/** Lines printed at a time by printLines. */
const PRINT_CHUNK_LINES = 1024;

/**
 * Prints lines a chunk at a time, waiting whenever stdout holds more than it should: writing to a
 * pipe whose reader is slower, Node queues in memory what the reader has not taken, and a dry run
 * of 500,000 articles prints 1.86 million lines (289 MiB more resident at the end of the publish).
 */
async function printLines(lines: Iterable<string>): Promise<void> {
  let chunk: string[] = [];
  const print = async () => {
    if (chunk.length === 0) return;
    console.log(chunk.join('\n'));
    chunk = [];
    if (process.stdout.writableNeedDrain) await once(process.stdout, 'drain');
  };
  for (const line of lines) {
    chunk.push(line);
    if (chunk.length >= PRINT_CHUNK_LINES) await print();
  }
  await print();
}

/** A plan's writes, counted in all and by phase: `52 to write (1 changes, 10 articles, …)`. */
function toWrite(plan: PublishPlan): string {
  const writes = plan.phases.reduce((n, phase) => n + phase.writes.length, 0);
  return `${writes} to write (${plan.phases.map((p) => `${p.writes.length} ${p.name}`).join(', ')})`;
}

/** Whether a plan changes KV at all: only then does a publish put its writer token. */
function changesKv(plan: PublishPlan): boolean {
  return (
    plan.phases.some((phase) => phase.writes.length > 0) || plan.deletes.length > 0 || plan.retire.length > 0
  );
}

/** What a dry run prints of its plan, a line for each upload, write, retirement and delete, in that order. */
function* dryRunLines(
  missingImages: readonly { renditions: readonly { key: string }[] }[],
  writesKv: boolean,
  plan: PublishPlan,
): Generator<string> {
  for (const entry of missingImages)
    for (const rendition of entry.renditions) yield `  upload ${rendition.key}`;
  if (writesKv) yield `  write ${writerTokenKey()}`;
  for (const phase of plan.phases) for (const write of phase.writes) yield `  write ${write.key}`;
  for (const key of plan.retire) yield `  retire ${key}`;
  for (const key of plan.deletes) yield `  delete ${key}`;
}

/** Runs `npm run publish -- …argv` and returns the exit code. */
export async function publishCommand(argv: string[]): Promise<number> {
  // The scratch file, the local files it reads and the local worker are let go however the command
  // ends (each close is safe after a save), each even if one before it fails: the lock, taken
  // first, is released last. The command's own failure is the one thrown, else the first close's.
  const opened: Closable[] = [];
  let outcome: { code: number } | { error: unknown };
  try {
    outcome = { code: await runPublishCommand(argv, opened) };
  } catch (error) {
    outcome = { error };
  }
  const failures: unknown[] = [];
  for (const file of opened.reverse())
    await Promise.resolve()
      .then(() => file.close())
      .catch((error: unknown) => failures.push(error));
  if ('error' in outcome) throw outcome.error;
  if (failures.length > 0) throw failures[0];
  return outcome.code;
}

interface Closable {
  close(): void | Promise<void>;
}

/**
 * The local worker, started now and awaited when KV is first needed: Miniflare takes seconds to
 * start (its module, then workerd), which pass, in a thread of its own (local-worker.ts), while the
 * files are read and compiled. Its images bucket is bound whenever the configuration names one, as
 * which articles show an image is not known yet. Disposed with `opened`, whether or not the publish
 * got as far as using it.
 */
function startLocalWorker(
  options: { configPath: string; persistTo: string },
  opened: Closable[],
): { worker: Promise<LocalWorker>; bucketName: Promise<string | undefined> } {
  const bucketName = bucketNameOf(options.configPath, IMAGES_BINDING);
  const worker = bucketName.then((imagesBucket) =>
    openLocalWorker({ ...options, ...(imagesBucket && { imagesBucket }) }),
  );
  // Its failure is thrown where it is awaited, not reported as unhandled before then.
  worker.catch(() => undefined);
  opened.push({
    close: () =>
      worker.then(
        (local) => local.dispose(),
        () => undefined,
      ),
  });
  return { worker, bucketName };
}

/**
 * Whether a remote publish could check the images bucket as the publish of every article does: it
 * refuses to start, before any request, without R2 credentials when content/ has images. An edit
 * by key writes no image, but is not taken then, so that the refusal stays where it was.
 */
async function imagesCanBeChecked(
  contentDir: string,
  remote: KvApiSettings | undefined,
  configPath: string,
): Promise<boolean> {
  const images = join(contentDir, 'images');
  if (!remote || !existsSync(images) || readdirSync(images).length === 0) return true;
  try {
    const bucket = await bucketNameOf(configPath, IMAGES_BINDING);
    return bucket !== undefined && r2SettingsFromEnv(process.env, bucket) !== undefined;
  } catch (error) {
    if (error instanceof RemoteConfigError) return false;
    throw error;
  }
}

/**
 * Prints, or writes, an edit planned by key (publish-by-key.ts), as the publish of every article
 * does its plan: the same progress, dry-run lines, failure messages and push after the writes.
 */
async function finishByKey(
  attempt: EditTaken,
  store: KvStore,
  options: { dryRun: boolean; remote: boolean; persistTo: string; progress: (message: string) => void },
): Promise<number> {
  const { planned } = attempt;
  const { plan } = planned;
  const { progress } = options;
  progress(
    `edit by key: ${planned.remade.length} groups made again; ${toWrite(plan)}, ${plan.deletes.length} to delete`,
  );
  if (options.dryRun) {
    attempt.close();
    await printLines(dryRunLines([], changesKv(plan), plan));
    console.log('publish: dry run, nothing written.');
    return 0;
  }
  let confirmed = 0;
  try {
    await attempt.write({
      put: (phaseWrites) => {
        const before = confirmed;
        return store.put(phaseWrites, (done) => {
          confirmed = before + done;
        });
      },
      delete: (keys) => store.delete(keys),
    });
  } catch (error) {
    if (!(error instanceof RemoteApiError || error instanceof StoreReadError)) throw error;
    const outcome =
      error instanceof StoreReadError
        ? 'nothing was written'
        : `stopped after ${confirmed} confirmed writes; the site is consistent, and running the same command again finishes the job`;
    console.error(`publish: ${error.message}; ${outcome}.`);
    return 1;
  }
  const { manifest } = planned;
  const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  progress(
    `done, content version ${manifest.version}, change log at ${manifest.changes?.head ?? 0}, peak resident ${peakMiB} MiB`,
  );
  await notifyWorker({
    event: pushEventOf({ plan, changeLog: planned.changeLog, records: { manifest: { manifest } } }),
    local: !options.remote,
    primary: attempt.site.primary,
    persistTo: options.persistTo,
    log: progress,
  });
  return 0;
}

/**
 * The site as this publish signs it, and its secret key: from the environment, or, for a local
 * publish without one, a development key kept in the local state, which the site then names (said
 * once). Throws SigningKeyError when site.yaml names a key and none matches.
 */
async function siteAndKey(
  site: SiteConfig,
  { remote, persistTo, notice }: { remote: boolean; persistTo: string; notice: (line: string) => void },
): Promise<{ site: SiteConfig; signingKey: SecretKey | null }> {
  let signingKey = await signingKeyFromEnv(process.env);
  let signed = site;
  if (signingKey === null && !remote && site.signing_key !== undefined) {
    signingKey = await localDevelopmentKey(persistTo);
    signed = { ...site, signing_key: encodePublicKey(signingKey) };
    notice(
      `publish: no ${SIGNING_KEY_ENV} or ${SIGNING_KEY_FILE_ENV}: the local site signs mirrors.json with development key ${keyIdHex(signingKey.keyId)}, not site.yaml's signing_key.`,
    );
  }
  checkSigningKey(signed, signingKey);
  return { site: signed, signingKey };
}

async function runPublishCommand(argv: string[], opened: Closable[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      local: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      repair: { type: 'boolean', default: false },
      preview: { type: 'boolean', default: false },
      'every-article': { type: 'boolean', default: false },
      content: { type: 'string', default: 'content' },
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
      if (!(error instanceof RemoteConfigError)) throw error;
      console.error(`publish: ${error.message}`);
      return 2;
    }
  }

  const started = performance.now();
  const progress = createProgress(started);
  // What a publish keeps between runs lives beside the state it was published to (local) or under
  // .wrangler (remote): the compile cache, the file table, the record memo and the group index.
  const localFiles = values.remote ? '.wrangler/publish-cache' : persistTo;
  // One publish at a time per state (publish-lock.ts); released last, however the command ends.
  try {
    const lock = lockPublish(lockPathOf(localFiles));
    opened.push({ close: () => lock.release() });
  } catch (error) {
    if (!(error instanceof PublishLockedError || error instanceof LockFileError)) throw error;
    console.error(`publish: ${error.message}; nothing was written.`);
    return 1;
  }
  // Started first when the local state exists (startLocalWorker). Into a new folder, only once the
  // content and the key are known good: a refused publish creates no state.
  const localOptions = { configPath: values.config, persistTo };
  let starting =
    !remote && existsSync(localKvPath(persistTo)) ? startLocalWorker(localOptions, opened) : undefined;
  let content: ReturnType<typeof compileContent> | undefined;
  const localFile = (name: string) =>
    join(localFiles, values.remote ? `remote-${name}` : `mirrorwire-${name}`);
  const cachePath = localFile('compiled.mdb');
  const foldersPath = localFile('folders.json');
  // Whether an edit by key is tried (below): never for a repair, a preview or --every-article.
  const byKeyTried =
    !values.repair &&
    !values.preview &&
    !values['every-article'] &&
    (await imagesCanBeChecked(values.content, remote, values.config));
  // What this publish reads and builds waits on disk until it is needed, not in memory: source
  // texts, compiled bodies, cards and every value to write. In wrangler's own scratch folder, so a
  // refused publish leaves the state folder as it was.
  const spill = openSpill(SCRATCH_DIR);
  opened.push(spill);
  let compileCache: PersistentCompileCache | undefined;
  let input: ContentOnDisk | undefined;
  // Files whose size and times have not moved since the last publish are not read again (a repair reads all).
  const fileTable = await openFileTable(localFile('files.mdb'), { trust: !values.repair });
  opened.push(fileTable);
  // The article folders' walk an edit by key compares with the last publish's (changed-files.ts):
  // begun now, beside the opening of the tables below, if the file table and the folders' digests
  // were recorded with the same state of KV (otherwise no edit is taken by key, and none begins).
  const articleWalk = byKeyTried
    ? beginArticleWalk(values.content, foldersPath, fileTable.recordedWith())
    : Promise.resolve(undefined);
  // Its failure to read the digests is thrown where the edit by key awaits it, not reported before.
  articleWalk.catch(() => undefined);
  // What earlier publishes built, beside the compile cache: unchanged groups of records are not built again.
  const memo = await openRecordMemo(localFile('records.mdb'), { parking: spill });
  opened.push(memo);
  // Which placed and indexed groups list each article, for an edit by key (group-index.ts). A dry run finds
  // whether it is complete, as the publish it predicts would, and writes nothing to it. A preview
  // keeps none: its drafts are copies of their articles, and no edit of it is taken in place.
  const groupIndex = values.preview
    ? undefined
    : await openGroupIndex(localFile('groups'), { code: memo.code, trust: !values.repair });
  if (groupIndex) opened.push(groupIndex);
  const groupSink: GroupIndexSink | undefined =
    groupIndex && values['dry-run']
      ? {
          begin: (writer) => ({ complete: groupIndex.begin(writer).complete, record: async () => undefined }),
        }
      : groupIndex;
  // What KV held after this machine's last publish stands in for a listing while no other writer
  // has been since (listing-snapshot.ts); a repair lists. Read while the files are stat-ed (before,
  // for a small archive).
  const snapshot = openListingSnapshot(localFile('listing.jsonl'));
  // The development key's notice is said once, though an edit by key that declines asks too.
  let keyNoticed = false;
  const signingOptions = {
    remote: values.remote,
    persistTo,
    notice(line: string) {
      if (!keyNoticed) console.log(line);
      keyNoticed = true;
    },
  };
  // A few articles edited in place since this machine's last publish: planned and written by key
  // (publish-by-key.ts), in a time that does not grow with the archive. Anything else is declined
  // before anything is written, and every article is published as below.
  if (groupIndex && byKeyTried) {
    let kv: KvStore | undefined;
    const byKeyStore = async () => {
      if (remote) kv ??= openRemoteStore(remote, progress);
      else {
        starting ??= startLocalWorker(localOptions, opened);
        kv ??= localStore(await starting.worker);
      }
      return kv;
    };
    try {
      const attempt = await planPublishByKey({
        contentDir: values.content,
        now,
        fileTable,
        memo,
        groupIndex,
        snapshot,
        cachePath,
        foldersPath,
        walk: articleWalk,
        store: byKeyStore,
        signing: (site) => siteAndKey(site, signingOptions),
      });
      if ('declined' in attempt)
        progress(`not an edit by key (${attempt.declined}): every article is published`);
      else
        return await finishByKey(attempt, await byKeyStore(), {
          dryRun: values['dry-run'],
          remote: remote !== undefined,
          persistTo,
          progress,
        });
    } catch (error) {
      if (error instanceof ContentError) {
        for (const problem of error.problems) console.error(formatProblem(problem));
        console.error(`publish: ${error.problems.length} problem(s); nothing was written.`);
        return 1;
      }
      if (
        !(
          error instanceof SigningKeyError ||
          error instanceof RemoteApiError ||
          error instanceof StoreReadError
        )
      )
        throw error;
      console.error(`publish: ${error.message}; nothing was written.`);
      return 1;
    } finally {
      await kv?.close();
    }
  }
  try {
    input = await readContent(values.content, {
      unchanged: fileTable.unchanged,
      knownImage: fileTable.knownImage,
      parking: spill,
      ...(!values.repair && { meanwhile: () => snapshot.preload() }),
    });
    const known = input.articles.filter((file) => fileStamps.get(file)?.key !== undefined).length;
    const knownImages = input.imageFiles.filter((image) => !image.read).length;
    progress(
      `${input.articles.length} files, ${input.articles.length - known} read (${known} unchanged since the last publish); ${input.imageFiles.length} images, ${input.imageFiles.length - knownImages} read (${knownImages} unchanged)`,
    );
    compileCache = await openCompileCache(cachePath, input, { parking: spill, trust: !values.repair });
    opened.push(compileCache);
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
  // A correction that moves nothing: the groups that do not list the edited articles stay as stored.
  // (The pipeline decides whether this publish may take it: not a repair, a preview or a release.)
  const edited = compileCache && editedInPlace(compileCache, fileTable, memo);
  // Only images an article shows are uploaded: a file left in content/images costs nothing.
  const shown = new Set<string>();
  for (const article of content.articles) {
    const src = imageSourceOf(article);
    if (src !== undefined) shown.add(src);
  }
  const usedImages = input.imagePlans.filter((plan) => shown.has(plan.asset.src));
  // R2 credentials are needed only when an article shows an image; still checked before any request.
  let remoteImages: R2ApiSettings | undefined;
  if (remote && usedImages.length > 0) {
    try {
      const bucket = await bucketNameOf(values.config, IMAGES_BINDING);
      if (!bucket)
        throw new RemoteConfigError(`${values.config} has no [[r2_buckets]] binding ${IMAGES_BINDING}`);
      remoteImages = r2SettingsFromEnv(process.env, bucket);
    } catch (error) {
      if (!(error instanceof RemoteConfigError)) throw error;
      console.error(`publish: ${error.message}`);
      return 2;
    }
  }

  // The signing key is settled before KV is even opened: a publish that cannot sign writes nothing.
  let signingKey: SecretKey | null;
  try {
    const signed = await siteAndKey(content.site, signingOptions);
    signingKey = signed.signingKey;
    content = { ...content, site: signed.site };
  } catch (error) {
    if (!(error instanceof SigningKeyError)) throw error;
    console.error(`publish: ${error.message}; nothing was written.`);
    return 1;
  }

  // A local publish has one Miniflare over the local KV and the images bucket (startLocalWorker).
  let store: KvStore;
  let imageBucket: ImageBucket | undefined;
  // Which bucket the table of stored renditions vouches for: another one is asked afresh.
  let bucketId = '';
  if (remote) {
    store = openRemoteStore(remote, progress);
    if (remoteImages) {
      imageBucket = createR2Bucket(remoteImages, progress);
      bucketId = `${remoteImages.endpoint}/${remoteImages.bucket}`;
    }
  } else {
    starting ??= startLocalWorker(localOptions, opened);
    const bucketName = usedImages.length > 0 ? await starting.bucketName : undefined;
    if (usedImages.length > 0 && !bucketName)
      throw new Error(`${values.config} has no [[r2_buckets]] binding ${IMAGES_BINDING}`);
    const local = await starting.worker;
    store = localStore(local);
    if (bucketName) {
      imageBucket = localImageBucket(local);
      bucketId = `local/${bucketName}`;
    }
  }
  const storedRenditions = imageBucket
    ? await openStoredRenditions(localFile('renditions.mdb'), bucketId, { trust: !values.repair })
    : undefined;
  if (storedRenditions) opened.push(storedRenditions);
  const source = rememberedListing(store, snapshot, { trust: !values.repair, progress });
  // What a failure message can say: whether writing began, how many renditions the bucket and how
  // many writes KV confirmed.
  let writing = false;
  let uploadingImages = false;
  let uploaded = 0;
  let confirmed = 0;
  // Where an original that cannot be encoded is shown, for its problems (image-problems.ts).
  const imageContext = { site: content.site, input, showing: new Map<string, string[]>() };
  try {
    // What the bucket lacks is known before the records are built: a real publish encodes it in a
    // child process meanwhile (encode-aside.ts), at a lower priority than the build.
    const check =
      imageBucket && storedRenditions
        ? await renditionsToUpload(usedImages, imageBucket, storedRenditions.has)
        : { missing: [], known: 0, requests: 0 };
    const missingImages = check.missing;
    const renditions = missingImages.reduce((n, entry) => n + entry.renditions.length, 0);
    progress(
      `${usedImages.length} images shown, ${renditions} renditions of ${missingImages.length} to upload (${check.known} known stored, ${check.requests} listing request(s))`,
    );
    const cacheDir = renditionCacheDir();
    const aside =
      !values['dry-run'] && missingImages.length > 0 && cacheDir !== undefined
        ? encodeAside(
            { contentDir: values.content, cacheDir, missing: missingImages },
            createPhaseProgress(progress, 'images encoded aside', missingImages.length),
          )
        : undefined;
    if (aside) {
      opened.push({ close: () => aside.stop() });
      progress(`encoding ${missingImages.length} original(s) aside while the records are built`);
    }
    const toEncode = missingImages.map((entry) => entry.plan);
    if (toEncode.length > 0) imageContext.showing = filesShowing(content, toEncode);
    let prepared: PreparedPublish;
    try {
      prepared = await preparePublish(content, source, now, {
        signingKey,
        repair: values.repair,
        preview: values.preview,
        memo,
        scratch: spill,
        digest: sha256BytesSync,
        ...(edited && { edited }),
        ...(groupSink && { groupIndex: groupSink }),
        builderDone: (builder, built, kept) =>
          progress(`records: ${builder}, ${built} built, ${kept} kept unchanged`),
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
    const { primary } = content.site;
    // Every record is built: the compiled articles are let go, so that the writes do not hold them.
    content = undefined;
    const built = records.articles.size + records.indexes.size + records.changes.size + 1;
    const inPlace = records.editedInPlace;
    progress(
      `${built} records built (${Math.round(spill.written / 2 ** 20)} MiB in the scratch file), ${records.kept.size} known unchanged without building${inPlace ? ` (${inPlace.keptAsStored} of them kept as stored, unlooked-up: ${inPlace.articles} article(s) edited in place)` : ''}`,
    );
    progress(`${toWrite(plan)}, ${plan.deletes.length} to delete, ${plan.unchanged} unchanged`);
    // Every writer of owned keys puts a token of its own first: it ends every other machine's trust
    // in what it remembers of KV. A publish that writes nothing puts none.
    const writesKv = changesKv(plan);
    if (values['dry-run']) {
      await printLines(dryRunLines(missingImages, writesKv, plan));
      console.log('publish: dry run, nothing written.');
      return 0;
    }
    writing = true;
    // Images first: a record is never written before the renditions it links to, and a failed
    // upload stops the publish before its first KV write.
    if (imageBucket && missingImages.length > 0) {
      uploadingImages = true;
      // What the child could not encode (it stopped, or failed) is encoded here, as the cache lacks it.
      const stopped = aside && (await aside.finished);
      // An original that cannot be encoded stops the publish before its first upload.
      if (stopped?.source !== undefined) throw new ImageEncodeError(stopped.source, stopped.reason);
      if (stopped) progress(`encoding aside stopped (${stopped.reason}); the rest is encoded here`);
      const report = createPhaseProgress(progress, 'images encoded and uploaded', missingImages.length);
      const result = await uploadImages(
        missingImages,
        imageBucket,
        cachedEncoder(sharpEncoder(values.content), cacheDir),
        {
          ...(remoteImages && { concurrency: remoteImages.concurrency }),
          onImage: report,
          onUploaded: (done) => {
            uploaded = done;
          },
        },
      );
      uploadingImages = false;
      progress(`${result.uploaded} image renditions uploaded`);
    }
    // Every rendition shown is in the bucket now, whatever becomes of the KV writes.
    await storedRenditions?.save(
      usedImages.flatMap((plan) => plan.renditions.map((rendition) => rendition.key)),
    );
    const token = newWriterToken();
    const unchangedBefore = writesKv && (await putWriterToken(store, source.seen, token));
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
    // The files are recorded with the KV state they were built into: this publish's, or the one it
    // found if it had nothing to write (edited-in-place.ts).
    const writer = writesKv ? token.value : (source.seen.state?.token ?? null);
    await fileTable.save(input?.articles ?? [], input?.imageFiles ?? [], writer);
    // And the article folders' digests, with which the next publish finds an edit by key.
    if (input) await saveRecordedFolders(foldersPath, { writer, folders: input.articleFolders });
    await memo.save();
    await groupIndex?.save(writer, plan.deletes, records.lingering.size);
    if (writesKv) await commitPublish(snapshot, store, source.seen, plan, token, unchangedBefore);
    const head = records.manifest.manifest.changes?.head ?? 0;
    // The peak of this process, Miniflare's thread included (its workerd runs apart).
    const peakMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    progress(
      `done, content version ${records.manifest.manifest.version}, change log at ${head}, peak resident ${peakMiB} MiB`,
    );
    // WebSub pings and partner webhooks (docs/push.md): after the writes, never instead of them.
    await notifyWorker({
      event: pushEventOf(prepared),
      local: !remote,
      primary,
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
    if (error instanceof ImageEncodeError) {
      const problems = imageEncodeProblems(error, imageContext);
      for (const problem of problems) console.error(formatProblem(problem));
      const outcome =
        uploaded > 0
          ? `${uploaded} image rendition(s) uploaded and no KV record written`
          : 'nothing was written';
      console.error(`publish: ${problems.length} problem(s); ${outcome}.`);
      return 1;
    }
    if (error instanceof StoredStateError) {
      console.error(`publish: ${error.message}.`);
      return 1;
    }
    if (!(error instanceof RemoteApiError || error instanceof StoreReadError)) throw error;
    if (uploadingImages) {
      console.error(
        `publish: ${error.message}; ${uploaded} image rendition(s) uploaded and no KV record written, so nothing links to a missing image; running the same command again finishes the job.`,
      );
      return 1;
    }
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
