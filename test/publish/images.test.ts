// The publish command's images, on real files: renditions encoded with sharp into the local R2 state
// that `wrangler dev` serves (read back here as local-state.ts reads it), uploaded once per content
// hash, and a broken image reported at the article's line. Uploads to the deployed bucket (--remote)
// are tested in remote-images.test.ts.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchCheckout } from './checkout';
import { CONFIG, type Run, runPublish, scriptCommand } from './command';
import { readKv, readBucket as readLocalBucket } from './local-state';
import { alive, childrenOf, untilPrinted } from './processes';

const SAMPLE = 'content/articles/2022/01/675904-russia-no-new-talks-ukraine.md';

let dir: string;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** This file's own rendition cache, empty at first: so the first publish really encodes. */
let renditionCache: string;

/** The publish command in this process (command.ts), in the scratch checkout. */
function publish(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return runPublish(['--config', CONFIG, ...args], {
    cwd: dir,
    env: { ...env, MIRRORWIRE_RENDITION_CACHE: renditionCache },
  });
}

/** Every key and value in the local KV, as `wrangler dev` would serve them. */
function readLocalKv(state = 'state') {
  return readKv(join(dir, state));
}

/** Every object in the local bucket, with its bytes, as `wrangler dev` would serve it. */
function readBucket(state = 'state') {
  return readLocalBucket(join(dir, state));
}

beforeAll(async () => {
  // Two articles, each showing a photo of its own: what the tests below need of the sample site
  // (each photo is really encoded, six times).
  dir = await scratchCheckout('mirrorwire-images-', [675904, 675738]);
  renditionCache = join(dir, 'rendition-cache');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run publish: images', () => {
  let first: Awaited<ReturnType<typeof readBucket>>;

  it('lists what a publish would upload in a dry run, and encodes none of it', async () => {
    const run = await publish(['--dry-run', '--local', '--persist-to', 'state']);
    expect(run.status).toBe(0);
    expect(run.stdout.match(/^ {2}upload images\//gm)).toHaveLength(12);
    expect(run.stdout).not.toMatch(/aside|encoded/);
    expect(existsSync(renditionCache)).toBe(false);
  });

  it('finds an image in a folder of its own under content/images', async () => {
    const article = join(dir, SAMPLE);
    const text = await readFile(article, 'utf8');
    await cp(join(dir, 'content/images/675904.jpg'), join(dir, 'content/images/2022/675904.jpg'));
    await writeFile(article, text.replace('src: images/675904.jpg', 'src: images/2022/675904.jpg'));
    try {
      const run = await publish(['--dry-run', '--local', '--persist-to', 'state']);
      // Found under the name front matter gives it: a missing one would be image.src's problem.
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^ {2}upload images\/[0-9a-f]+\/675904-480\.webp$/m);
    } finally {
      await writeFile(article, text);
      await rm(join(dir, 'content/images/2022'), { recursive: true, force: true });
    }
  });

  it('encodes every width in the original format and WebP into the local R2 that wrangler dev serves', async () => {
    const run = await publish(['--local', '--persist-to', 'state']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // In a child process of its own, started before the records are built: both originals, before
    // the first upload and so before any KV write.
    expect(run.stdout).toMatch(/encoding 2 original\(s\) aside while the records are built/);
    const lines = run.stdout.split('\n');
    const aside = lines.findIndex((line) => /images encoded aside: 2\/2$/.test(line));
    expect(aside).toBeGreaterThan(lines.findIndex((line) => /12 renditions of 2 to upload/.test(line)));
    expect(aside).toBeLessThan(lines.findIndex((line) => /images encoded and uploaded: /.test(line)));
    expect(run.stdout).not.toMatch(/encoding aside stopped/);
    // Two articles show an image; each 1200 px original gets 480, 960 and 1200, twice.
    // Nothing is known of the bucket yet: each original's renditions are looked up under its own prefix.
    expect(run.stdout).toMatch(
      /2 images shown, 12 renditions of 2 to upload \(0 known stored, 2 listing request\(s\)\)/,
    );
    expect(run.stdout).toMatch(/; (\d+) images, \1 read \(0 unchanged\)/);
    first = await readBucket();
    expect(first.size).toBe(12);
    const keys = [...first.keys()].filter((key) => key.includes('/675904-'));
    expect(keys.map((key) => key.replace(/^images\/[0-9a-f]{16}\//, '')).sort()).toEqual([
      '675904-1200.jpg',
      '675904-1200.webp',
      '675904-480.jpg',
      '675904-480.webp',
      '675904-960.jpg',
      '675904-960.webp',
    ]);
    for (const key of keys) {
      const object = first.get(key);
      const meta = await sharp(object?.bytes).metadata();
      const width = Number(/-(\d+)\./.exec(key)?.[1]);
      expect(meta.width, key).toBe(width);
      expect(meta.height, key).toBe(Math.round((675 * width) / 1200));
      expect(meta.format, key).toBe(key.endsWith('.webp') ? 'webp' : 'jpeg');
      expect(object?.contentType, key).toBe(key.endsWith('.webp') ? 'image/webp' : 'image/jpeg');
      // Kept on this machine under its key, byte for byte.
      expect(await readFile(join(renditionCache, key)), key).toEqual(object?.bytes);
    }
  });

  it('fills a new local state from the rendition cache, encoding nothing again', async () => {
    // A cached rendition that differs from what sharp makes: if it is what the bucket gets, the
    // publish took it from the cache rather than encoding the original.
    const key = [...first.keys()].find((each) => each.endsWith('/675904-480.webp')) ?? '';
    const marked = await sharp(first.get(key)?.bytes).flip().webp().toBuffer();
    await writeFile(join(renditionCache, key), marked);
    const run = await publish(['--local', '--persist-to', 'fresh-state']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/2 images shown, 12 renditions of 2 to upload/);
    const bucket = await readBucket('fresh-state');
    expect(bucket.size).toBe(12);
    expect(bucket.get(key)?.bytes).toEqual(marked);
  });

  it('uploads nothing when the same images are published again', async () => {
    const run = await publish(['--local', '--persist-to', 'state']);
    expect(run.status).toBe(0);
    // What this machine stored last time is not asked of the bucket again.
    expect(run.stdout).toMatch(
      /2 images shown, 0 renditions of 0 to upload \(12 known stored, 0 listing request\(s\)\)/,
    );
    // Their sizes and times have not moved since the last publish: their bytes are not read again.
    expect(run.stdout).toMatch(/; (\d+) images, 0 read \(\1 unchanged\)/);
    const again = await readBucket();
    expect([...again].map(([key, object]) => [key, object.uploaded])).toEqual(
      [...first].map(([key, object]) => [key, object.uploaded]),
    );
  });

  it('uploads a changed image under a new hash, and only that one', async () => {
    const path = join(dir, 'content/images/675904.jpg');
    await writeFile(
      path,
      await sharp(await readFile(path))
        .flop()
        .jpeg()
        .toBuffer(),
    );
    const run = await publish(['--local', '--persist-to', 'state']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /2 images shown, 6 renditions of 1 to upload \(6 known stored, 1 listing request\(s\)\)/,
    );
    expect(run.stdout).toMatch(/; (\d+) images, 1 read \((\d+) unchanged\)/);
    expect((await readBucket()).size).toBe(18);
    // A repair trusts no remembered stamp: every image is read, and the plan is the same.
    const repair = await publish(['--local', '--persist-to', 'state', '--repair']);
    expect(repair.status).toBe(0);
    expect(repair.stdout).toMatch(/; (\d+) images, \1 read \(0 unchanged\)/);
    expect(repair.stdout).toMatch(
      /2 images shown, 0 renditions of 0 to upload \(0 known stored, 2 listing request\(s\)\)/,
    );
  });

  it('reports an unreadable image at the line of the article that shows it, and writes nothing', async () => {
    const path = join(dir, 'content/images/675904.jpg');
    const original = await readFile(path);
    await writeFile(path, 'not a picture');
    try {
      const run = await publish(['--local', '--persist-to', 'state']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^${SAMPLE}:8: image\\.src: content/images/675904\\.jpg is not an image publish can read`,
          'm',
        ),
      );
      expect(run.stderr).toMatch(/nothing was written/);
    } finally {
      await writeFile(path, original);
    }
  });
  it('names an image under the folder --content gives, unreadable or missing', async () => {
    await cp(join(dir, 'content'), join(dir, 'newsroom'), { recursive: true });
    try {
      await writeFile(join(dir, 'newsroom/images/675904.jpg'), 'not a picture');
      await rm(join(dir, 'newsroom/images/675738.jpg'));
      const run = await publish(['--dry-run', '--local', '--content', 'newsroom', '--persist-to', 'state']);
      expect(run.status).toBe(1);
      const shown = SAMPLE.replace(/^content\//, 'newsroom/');
      expect(run.stderr).toMatch(
        new RegExp(
          `^${shown}:8: image\\.src: newsroom/images/675904\\.jpg is not an image publish can read`,
          'm',
        ),
      );
      expect(run.stderr).toMatch(
        /^newsroom\/articles\/[^:]+675738[^:]*\.md:\d+: image\.src: no file newsroom\/images\/675738\.jpg$/m,
      );
      expect(run.stderr).not.toMatch(/content\/images/);
    } finally {
      await rm(join(dir, 'newsroom'), { recursive: true, force: true });
    }
  });
  it('reports an image that cannot be encoded at the line of the article that shows it, before any upload or write', async () => {
    // Its header reads (so its size is known) but its data stops halfway: only encoding finds out,
    // in the child, which stops the publish before its first upload (nothing is stored in this state).
    const path = join(dir, 'content/images/675738.jpg');
    const original = await readFile(path);
    await writeFile(path, original.subarray(0, original.length >> 1));
    try {
      const run = await publish(['--local', '--persist-to', 'broken-state']);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(
        /^content\/articles\/[^:]+675738[^:]*\.md:\d+: image\.src: content\/images\/675738\.jpg cannot be encoded \(.+\)$/m,
      );
      expect(run.stderr).toMatch(/1 problem\(s\); nothing was written\.$/m);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      // Found by the child, not by the publish encoding again.
      expect(run.stdout).not.toMatch(/encoding aside stopped/);
      expect((await readBucket('broken-state')).size).toBe(0);
      expect((await readLocalKv('broken-state')).size).toBe(0);
    } finally {
      await writeFile(path, original);
    }
  });
  // Processes are found through /proc, which only Linux has.
  it.skipIf(process.platform !== 'linux')(
    'leaves no encoding child behind when the publish is killed, and no torn rendition',
    async () => {
      // Every article of the sample site: 15 photos, 90 renditions, several seconds of encoding.
      const site = await scratchCheckout('mirrorwire-images-killed-');
      const cache = join(site, 'rendition-cache');
      const [command, args] = scriptCommand('src/publish/node/cli.ts', [
        '--config',
        CONFIG,
        '--local',
        '--persist-to',
        'killed-state',
      ]);
      const publish = spawn(command, args, {
        cwd: site,
        env: { ...process.env, MIRRORWIRE_RENDITION_CACHE: cache },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      let encoder: number | undefined;
      let runtimes: number[] = [];
      try {
        // The child starts as soon as the publish knows what the bucket lacks.
        await untilPrinted(publish, '90 renditions of 15 to upload', 'it started encoding');
        for (let tries = 0; encoder === undefined && tries < 100; tries++) {
          [encoder] = await childrenOf(publish.pid ?? 0, (line) => line.includes('encode-child'));
          if (encoder === undefined) await pause(20);
        }
        expect(encoder).toBeDefined();
        // Killed once the child is at work: its first rendition is in the cache.
        const renditionsIn = async () =>
          existsSync(cache)
            ? (await readdir(cache, { recursive: true })).filter((name) => /\.(jpg|webp)$/.test(name))
            : [];
        for (let tries = 0; (await renditionsIn()).length === 0 && tries < 300; tries++) await pause(50);
        expect((await renditionsIn()).length).toBeGreaterThan(0);
        // A publish killed this way cannot stop its Miniflare's workerd either: this test does.
        runtimes = await childrenOf(publish.pid ?? 0, (line) => /(^|\/)workerd /.test(line));
        publish.kill('SIGKILL');
        // It finishes the originals in flight (two at a time), finds its channel closed, and ends,
        // leaving the other photos unencoded and no rendition half written.
        for (let tries = 0; encoder !== undefined && (await alive(encoder)) && tries < 300; tries++)
          await pause(100);
        expect(encoder !== undefined && (await alive(encoder))).toBe(false);
        const left = existsSync(cache) ? await readdir(cache, { recursive: true }) : [];
        expect(left.filter((name) => name.endsWith('.tmp'))).toEqual([]);
        expect((await renditionsIn()).length).toBeLessThan(90);
      } finally {
        publish.kill('SIGKILL');
        if (encoder !== undefined && (await alive(encoder))) process.kill(encoder, 'SIGKILL');
        for (const pid of runtimes) if (await alive(pid)) process.kill(pid, 'SIGKILL');
        await rm(site, { recursive: true, force: true });
      }
    },
  );
});
