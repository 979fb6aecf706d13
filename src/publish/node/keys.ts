// `npm run keys`: makes the key pair that signs /.well-known/mirrors.json. The secret key goes to a
// file outside the repository (or, with --print, to the terminal once); only the public key is shown.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { encodePublicKey, encodeSecretKey, generateSecretKey, keyIdHex } from '../../mirrors/minisign';
import { secretKeyFile } from './key-file';
import { SIGNING_KEY_ENV, SIGNING_KEY_FILE_ENV } from './signing-key';

const DEFAULT_PATH = join(homedir(), '.config', 'mirrorwire', 'signing.key');

const USAGE = `Usage: npm run keys -- [--out FILE] [--force] [--print]

  --out FILE   where to write the secret key (default: ${DEFAULT_PATH}); never inside the repository
  --force      replace an existing file
  --print      print the secret key once instead of writing a file (for a CI secret store)`;

/** The repository the command runs in, if any: a secret key file must not land there. */
function repositoryRoot(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // Not a git checkout (an unpacked tarball): the working directory stands for it.
    return process.cwd();
  }
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: DEFAULT_PATH },
      force: { type: 'boolean', default: false },
      print: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const key = await generateSecretKey();
  const publicKey = encodePublicKey(key);
  if (values.print) {
    console.log(`secret key (set it as ${SIGNING_KEY_ENV}; it is not shown again):`);
    console.log(encodeSecretKey(key));
  } else {
    const path = resolve(values.out);
    const root = repositoryRoot();
    if (root !== null && isInside(resolve(root), path)) {
      console.error(`keys: ${path} is inside the repository; a secret key must live outside it.`);
      return 1;
    }
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    try {
      await writeFile(path, secretKeyFile(key, 'signs mirrors.json'), {
        mode: 0o600,
        flag: values.force ? 'w' : 'wx',
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      console.error(`keys: ${path} exists; pass --force to replace it (the old key stops signing).`);
      return 1;
    }
    console.log(`secret key written to ${path} (mode 600): publish with ${SIGNING_KEY_FILE_ENV}=${path}`);
  }
  console.log(`key id ${keyIdHex(key.keyId)}; put the public key in content/site.yaml:`);
  console.log(`signing_key: ${publicKey}`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
