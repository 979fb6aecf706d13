// Where publish finds the secret key that signs /.well-known/mirrors.json: the environment (a
// base64 line, or a file path), or, for local publishing only, a development key kept with the local state.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeSecretKey, generateSecretKey, type SecretKey } from '../../mirrors/minisign';
import { SigningKeyError } from '../mirror-list';
import { secretKeyFile } from './key-file';

export const SIGNING_KEY_ENV = 'MIRRORWIRE_SIGNING_KEY';
export const SIGNING_KEY_FILE_ENV = 'MIRRORWIRE_SIGNING_KEY_FILE';

/** The key named by the environment, or null when neither variable is set; SigningKeyError if unreadable. */
export async function signingKeyFromEnv(env: NodeJS.ProcessEnv): Promise<SecretKey | null> {
  const inline = env[SIGNING_KEY_ENV];
  if (inline !== undefined && inline.trim() !== '') {
    try {
      return decodeSecretKey(inline);
    } catch (error) {
      throw new SigningKeyError(
        `${SIGNING_KEY_ENV} is not a mirrorwire secret key (npm run keys makes one)`,
        {
          cause: error,
        },
      );
    }
  }
  const path = env[SIGNING_KEY_FILE_ENV];
  if (path === undefined || path.trim() === '') return null;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SigningKeyError(`${SIGNING_KEY_FILE_ENV}: cannot read ${path}`, { cause: error });
  }
  try {
    return decodeSecretKey(text);
  } catch (error) {
    throw new SigningKeyError(`${SIGNING_KEY_FILE_ENV}: ${path} is not a mirrorwire secret key`, {
      cause: error,
    });
  }
}

/**
 * A development key for `--local` publishes without a secret key, kept beside the local state so
 * repeated `npm start`s sign with the same key. It is not site.yaml's key: the caller substitutes
 * its public key for the local site, so the local site verifies against what it shows.
 */
export async function localDevelopmentKey(stateDir: string): Promise<SecretKey> {
  const path = join(stateDir, 'mirrorwire-dev-signing.key');
  try {
    return decodeSecretKey(await readFile(path, 'utf8'));
  } catch (error) {
    // Missing (first run) or unreadable: make a new one; a local key protects nothing.
    void error;
  }
  const key = await generateSecretKey();
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, secretKeyFile(key, 'local development key, never used outside this state folder'), {
    mode: 0o600,
  });
  return key;
}
