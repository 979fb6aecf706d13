// The records' sum the publish command takes with node's synchronous SHA-256 (node-digest.ts) is
// the one the pipeline takes with Web Crypto's (test/unit/content-version.test.ts proves the sum
// itself): the two must agree, or a publish and an edit by key would name different versions.
import { expect, it } from 'vitest';
import { recordSum } from '../../src/publish/content-version';
import { sha256BytesSync } from '../../src/publish/node/node-digest';

it("sums the records with node's SHA-256 as with Web Crypto's", async () => {
  const records = new Map(
    Array.from({ length: 2500 }, (_, i) => [`article:v1:${i}`, i.toString(16).padStart(64, '0')]),
  );
  // Keys of several bytes a character too: the digest is of the UTF-8 text.
  records.set('list:v3:tag:گزارش', 'e'.repeat(64));
  const sets = [{ keys: () => records.keys() }];
  const hashOf = (key: string) => records.get(key);
  expect(await recordSum(sets, hashOf, sha256BytesSync)).toBe(await recordSum(sets, hashOf));
});
