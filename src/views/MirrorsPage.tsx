// /about/mirrors: every address the outlet serves, the public key that signs the list of them,
// and how a reader checks a list with the stock minisign tool. The same bytes on every host.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import type { SiteConfig } from '../config/site-config';
import { MIRRORS_PATH, MIRRORS_SIGNATURE_PATH } from '../mirrors/mirror-list';
import type { ManifestSection, StoredMirrorList } from '../storage/records';
import { Layout } from './Layout';

export const MIRRORS_PAGE_PATH = '/about/mirrors';

export function MirrorsPage({
  site,
  sections,
  mirrorList,
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  mirrorList: StoredMirrorList | undefined;
}) {
  const title = 'Our addresses, and how to check them';
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{
        title,
        description: `Every address that serves ${site.name}, and how to verify the signed list of them.`,
        canonicalPath: MIRRORS_PAGE_PATH,
      }}
    >
      <article class="about-page">
        <h1 class="page-title">{title}</h1>
        <p>
          Our domains get blocked, so {site.name} is served at several addresses, listed at the foot of every
          page. Every address serves the same site; use whichever works for you. The list is also published as{' '}
          <a href={MIRRORS_PATH}>mirrors.json</a>, and in every feed and API response, so apps and feed
          readers learn a new address before an old one goes dark.
        </p>
        {site.signing_key === undefined || mirrorList?.minisig === undefined ? (
          <p>The list is not signed yet.</p>
        ) : (
          <>
            <h2>Check that a list is genuine</h2>
            <p>
              A list anyone could edit would help whoever blocks us send you to a fake address. Ours is
              signed: <a href={MIRRORS_SIGNATURE_PATH}>mirrors.json.minisig</a> is an Ed25519 signature, in
              the format of minisign (a small open-source tool: <code>apt install minisign</code> on Debian
              and Ubuntu), made with this public key:
            </p>
            <p class="signing-key">
              <code>{site.signing_key}</code>
            </p>
            <p>
              Download both files from any of our addresses (the bytes are the same on every one), then run:
            </p>
            <pre>
              <code>minisign -Vm mirrors.json -P {site.signing_key}</code>
            </pre>
            <p>
              It answers “Signature and comment signature verified” and prints the trusted comment, with the
              time of signing and the list's sequence number (now {mirrorList.sequence}). Each new list gets a
              higher number: if you have seen a higher one before, the list you are looking at is an old one
              replayed, and the addresses it leaves out may still be ours.
            </p>
            <p>
              Take the public key from a copy you already trust (this page on an address you know, our printed
              material, a friend), not from the same place as the list.
            </p>
          </>
        )}
      </article>
    </Layout>
  );
}
