// `npm run bench:publish -- --placed-by-key N,M`: what an edit by key does for its placed groups
// (src/publish/placed-by-key.ts), timed in this process at two archive sizes side by side. Opening
// the record memo, the compile cache and the group index is timed apart (the memo's opening hashes
// the code, at the same cost at any size); then the edited file is compiled through the cache, the
// groups that show it are found, their members read by key, each group made with and without the
// edit, and the keys whose value changed counted. Each archive's state must have been published by
// this code (the memo is this code's): the edit bench (`--edits`) leaves it so. Reading content/,
// which the cache's generation needs, is done once per archive and not timed: an edit by key will
// not walk it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { compileContent, compileSiteConfig } from '../src/content/compile';
import { encodePublicKey } from '../src/mirrors/minisign';
import { articleInputs } from '../src/publish/build-records';
import { openCompileCache } from '../src/publish/node/compile-cache';
import { openGroupIndex, publishedArticles } from '../src/publish/node/group-index-file';
import { type ContentOnDisk, readContent } from '../src/publish/node/read-content';
import { openRecordMemo } from '../src/publish/node/record-memo-file';
import { localDevelopmentKey } from '../src/publish/node/signing-key';
import { openSpill } from '../src/publish/node/spill-store';
import { remakePlacedByKey } from '../src/publish/placed-by-key';
import { plainGroupContext } from '../test/support/group-context';
import { markdownTable, median, quantile } from './stats';

/** An archive `--articles N` published, and the article file an edit corrects (its middle one). */
export interface PublishedArchive {
  count: number;
  content: string;
  state: string;
  renditions: string;
  middle: string;
  /** Its article files, by path (their folders are dated: oldest first). */
  files: readonly string[];
}

interface Round {
  /** Opening the memo, the compile cache and the group index. */
  openMs: number;
  /** The rest: the compile, the groups found, their members read, made twice and hashed. */
  ms: number;
  groups: number;
  members: number;
  values: number;
  writes: number;
  /** Groups the memo did not know as last published: an edit by key could not tell their writes. */
  unknown: number;
}

/** Where the publish command parks what it compiles (publish-command.ts). */
const SCRATCH_DIR = '.wrangler/tmp';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** One round: the middle article's title toggled in memory, its placed groups made by key. */
async function round(archive: PublishedArchive, input: ContentOnDisk, toggled: string): Promise<Round> {
  const opening = performance.now();
  // Where a fresh compile parks its body, as the publish command's cache does.
  const spill = openSpill(SCRATCH_DIR);
  const memo = await openRecordMemo(join(archive.state, 'mirrorwire-records.mdb'));
  const cache = await openCompileCache(join(archive.state, 'mirrorwire-compiled.mdb'), input, {
    parking: spill,
  });
  const index = await openGroupIndex(join(archive.state, 'mirrorwire-groups'), {
    code: memo.code,
    trust: true,
  });
  const started = performance.now();
  try {
    if (index.recordedWith === undefined) throw new Error(`${archive.state} has no group index of this code`);
    // The site as the local publish built with it: site.yaml's signing key replaced by the state's.
    const declared = compileSiteConfig(input.site);
    const site = declared.signing_key
      ? { ...declared, signing_key: encodePublicKey(await localDevelopmentKey(archive.state)) }
      : declared;
    const path = relative(process.cwd(), archive.middle);
    const [edited] = compileContent({ ...input, articles: [{ path, text: toggled }] }, cache).articles;
    if (!edited) throw new Error(`${path} did not compile`);
    let members = 0;
    const readArticles = publishedArticles(index, cache);
    const remade = await remakePlacedByKey([edited], {
      site,
      groupsOf: (id) => index.groupsOf(id),
      articles(ids) {
        members += ids.length;
        return readArticles(ids);
      },
      memo,
      context: { ...plainGroupContext(), article: articleInputs(memo) },
    });
    let values = 0;
    let writes = 0;
    for (const group of remade) {
      const remembered = new Map(group.remembered);
      for (const [key, value] of group.values) {
        values++;
        if (sha256(value) !== remembered.get(key)) writes++;
      }
    }
    return {
      openMs: started - opening,
      ms: performance.now() - started,
      groups: remade.length,
      members,
      values,
      writes,
      unknown: remade.filter((group) => group.remembered === undefined).length,
    };
  } finally {
    await index.close();
    cache.close();
    memo.close();
    spill.close();
  }
}

/** Adds " (corrected)" to a title, or takes it away. */
function toggleTitle(text: string): string {
  return / \(corrected\)"$/m.test(text)
    ? text.replace(/^title: "(.*) \(corrected\)"$/m, 'title: "$1"')
    : text.replace(/^title: "(.*)"$/m, 'title: "$1 (corrected)"');
}

export async function comparePlacedByKey(
  archives: readonly PublishedArchive[],
  rounds: number,
): Promise<number> {
  const inputs = new Map<PublishedArchive, { input: ContentOnDisk; text: string }>();
  for (const archive of archives) {
    console.log(`bench:publish: reading ${archive.count} articles (not timed)`);
    const input = await readContent(relative(process.cwd(), archive.content));
    inputs.set(archive, { input, text: await readFile(archive.middle, 'utf8') });
  }
  const runs = new Map<PublishedArchive, Round[]>(archives.map((archive) => [archive, []]));
  const loadAtStart = loadavg()[0] ?? 0;
  for (let at = 1; at <= rounds; at++) {
    const order = at % 2 === 1 ? archives : [...archives].reverse();
    for (const archive of order) {
      const { input, text } = inputs.get(archive) as { input: ContentOnDisk; text: string };
      // The file on disk is left as published; the edit is compiled from its text.
      const measured = await round(archive, input, toggleTitle(text));
      runs.get(archive)?.push(measured);
      console.log(
        `bench:publish: round ${at}, ${archive.count} articles: ${measured.ms.toFixed(0)} ms (opening ${measured.openMs.toFixed(0)} ms before), ${measured.groups} groups, ${measured.writes} of ${measured.values} values changed`,
      );
    }
  }
  const ms = (value: number) => `${value.toFixed(0)} ms`;
  const spread = (values: readonly number[], format: (value: number) => string) =>
    `${format(median(values))} (${format(quantile(values, 0))}–${format(quantile(values, 1))})`;
  const rows = archives.map((archive) => {
    const done = runs.get(archive) ?? [];
    const first = done[0];
    return [
      `${archive.count}`,
      spread(
        done.map((each) => each.ms),
        ms,
      ),
      spread(
        done.map((each) => each.openMs),
        ms,
      ),
      `${first?.groups ?? 0}`,
      `${first?.members ?? 0}`,
      `${first?.values ?? 0}`,
      `${first?.writes ?? 0}`,
      `${Math.max(...done.map((each) => each.unknown))}`,
    ];
  });
  const load = `load average ${loadAtStart.toFixed(1)} at the start, ${(loadavg()[0] ?? 0).toFixed(1)} at the end`;
  console.log(
    `\nthe middle article's placed groups made by key, ${rounds} rounds, the two sizes in alternating order (${load}):\n`,
  );
  console.log(
    markdownTable(
      [
        'articles',
        'by key, median (range)',
        'opening, median (range)',
        'groups',
        'members read',
        'values made',
        'changed',
        'groups unknown to the memo',
      ],
      rows,
    ),
  );
  const [small, large] = archives.map((archive) => runs.get(archive) ?? []);
  if (small && large) {
    const ratios = large.map((each, i) => each.ms / (small[i]?.ms ?? Number.NaN));
    console.log(
      `\n${archives[1]?.count} / ${archives[0]?.count}, per round: ${spread(ratios, (value) => `${value.toFixed(2)}×`)}`,
    );
  }
  return 0;
}
