// The publish command and the signing key, on real files: it refuses to publish a list it cannot
// sign (writing nothing), signs with the key from the environment, and `npm run keys` keeps the
// secret key out of the repository.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyMirrorList } from '../../src/mirrors/mirror-list';
import { manifestSchema } from '../../src/storage/records';
import { scratchCheckout } from './checkout';
import { CONFIG, ROOT, runPublish, spawnScript } from './command';
import { readKvValues } from './local-state';

let dir: string;
let publicKey: string;

/** This process's environment without a signing key of its own, plus `env`. */
function cleanEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean = { ...process.env };
  delete clean.MIRRORWIRE_SIGNING_KEY;
  delete clean.MIRRORWIRE_SIGNING_KEY_FILE;
  return { ...clean, ...env };
}

/** `npm run keys` and the like, in a child process as an operator runs them. */
function run(script: string, args: string[], env: Record<string, string> = {}, cwd = dir) {
  return spawnScript(script, args, { cwd, env: cleanEnv(env) });
}

/** The publish command, in this process (./command.ts). */
function publish(state: string, env: Record<string, string>, ...args: string[]) {
  return runPublish(['--persist-to', state, '--config', CONFIG, ...args], { cwd: dir, env: cleanEnv(env) });
}

async function storedManifest(state: string) {
  const text = (await readKvValues(join(dir, state), ['site:v1'])).get('site:v1') ?? null;
  return text === null ? null : manifestSchema.parse(JSON.parse(text));
}

beforeAll(async () => {
  // Two articles with their photos: the mirror list and its signature do not depend on more.
  dir = await scratchCheckout('mirrorwire-signing-', [675904, 675738]);
  // A throwaway pair made the way an operator makes one, and site.yaml pointed at it.
  const keys = await run('src/publish/node/keys.ts', ['--out', join(dir, 'keys', 'signing.key')], {}, ROOT);
  expect(keys.status).toBe(0);
  publicKey = /signing_key: (RW\S+)/.exec(keys.stdout)?.[1] ?? '';
  expect(publicKey).toMatch(/^RW/);
  expect(keys.stdout).not.toContain(
    await readFile(join(dir, 'keys', 'signing.key'), 'utf8').then((t) => t.split('\n')[1] ?? 'x'),
  );
  const site = await readFile(join(dir, 'content/site.yaml'), 'utf8');
  await writeFile(
    join(dir, 'content/site.yaml'),
    site.replace(/^signing_key: .*$/m, `signing_key: ${publicKey}`),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('publishing a signed mirror list', () => {
  it('refuses a remote publish without the secret key, before writing anything', async () => {
    // Credentials for an address nothing listens on: the key is checked before any request.
    const remote = {
      CLOUDFLARE_API_TOKEN: 'token',
      CLOUDFLARE_ACCOUNT_ID: 'account',
      CLOUDFLARE_API_BASE_URL: 'http://127.0.0.1:9/client/v4',
      // The sample articles show images: R2's credentials are checked first, then the key.
      R2_ACCESS_KEY_ID: 'key-id',
      R2_SECRET_ACCESS_KEY: 'secret',
      R2_S3_ENDPOINT: 'http://127.0.0.1:9',
    };
    const result = await publish('remote-state', remote, '--remote');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('MIRRORWIRE_SIGNING_KEY');
    expect(result.stderr).toContain('nothing was written');
  });

  it('refuses a key that is not the one site.yaml names, and writes nothing', async () => {
    const other = await run('src/publish/node/keys.ts', ['--print']);
    const secret = other.stdout.split('\n')[1] ?? '';
    const result = await publish('wrong-state', { MIRRORWIRE_SIGNING_KEY: secret }, '--local');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("not to site.yaml's signing_key");
    expect(await readdir(dir)).not.toContain('wrong-state');
  });

  it('signs with the key file from the environment, verifiably against site.yaml', async () => {
    const result = await publish(
      'signed-state',
      { MIRRORWIRE_SIGNING_KEY_FILE: join(dir, 'keys', 'signing.key') },
      '--local',
    );
    expect(result.status, result.stderr).toBe(0);
    const list = (await storedManifest('signed-state'))?.mirrorList;
    const verified = await verifyMirrorList(list?.body ?? '', list?.minisig ?? '', { publicKey });
    expect(verified.sequence).toBe(1);
  });

  it('signs a local publish without a key with a development key, and says so', async () => {
    const result = await publish('dev-state', {}, '--local');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('development key');
    const manifest = await storedManifest('dev-state');
    const devKey = manifest?.site.signing_key ?? '';
    expect(devKey).not.toBe(publicKey);
    await verifyMirrorList(manifest?.mirrorList?.body ?? '', manifest?.mirrorList?.minisig ?? '', {
      publicKey: devKey,
    });
  });

  it('will not write a secret key inside the repository', async () => {
    const result = await run(
      'src/publish/node/keys.ts',
      ['--out', join(ROOT, 'content', 'leak.key')],
      {},
      ROOT,
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('inside the repository');
  });
});
