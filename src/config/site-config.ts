// The outlet's configuration (content/site.yaml): name, language, hosts and sections.
// One schema validates the file at publish time and decodes the manifest in the worker
// (zod/mini: the worker bundle stays small).
import * as z from 'zod/mini';
import { pushUrlSchema } from './push-url';

// A lowercase DNS name with at least one dot: no ports, no IP literals, no trailing dot.
const HOSTNAME =
  /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ONION_V3 = /^[a-z2-7]{56}\.onion$/;
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// BCP 47 in the shape feeds and HTML accept: language, optional script, region or variants.
// A minisign Ed25519 public key: base64 of 'Ed' + 8-byte key id + 32-byte key, so 56 characters.
const MINISIGN_PUBLIC_KEY = /^RW[A-Za-z0-9+/]{54}$/;
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/;

const text = () => z.string().check(z.trim(), z.minLength(1, 'must not be empty'));

export const hostnameSchema = z
  .string()
  .check(z.regex(HOSTNAME, 'must be a lowercase host name such as www.example.com'));

export const sectionSchema = z.strictObject({
  slug: z.string().check(z.regex(SLUG, 'must be lowercase words joined by hyphens')),
  title: text(),
  parent: z.optional(z.string().check(z.regex(SLUG, 'must be a section slug'))),
});

export const siteConfigSchema = z
  .strictObject({
    name: text(),
    description: text(),
    language: z.string().check(z.regex(LANGUAGE_TAG, 'must be a BCP 47 language tag such as en or fa-IR')),
    primary: hostnameSchema,
    mirrors: z._default(z.array(hostnameSchema), []),
    redirects: z._default(z.array(hostnameSchema), []),
    onion: z.optional(z.string().check(z.regex(ONION_V3, 'must be a v3 .onion host name'))),
    /** WebSub hub pinged after each publish (src/push); https, or http on localhost for testing. */
    hub: z.optional(pushUrlSchema),
    /** Signs /.well-known/mirrors.json; publish refuses to run without the matching secret key. */
    signing_key: z.optional(
      z
        .string()
        .check(
          z.regex(MINISIGN_PUBLIC_KEY, 'must be a minisign public key (the base64 line starting with RW)'),
        ),
    ),
    sections: z.array(sectionSchema).check(z.minLength(1, 'must list at least one section')),
  })
  .check(
    z.superRefine((site, ctx) => {
      const seen = new Set<string>();
      const hosts: Array<[string, (string | number)[]]> = [
        [site.primary, ['primary']],
        ...site.mirrors.map((h, i): [string, (string | number)[]] => [h, ['mirrors', i]]),
        ...site.redirects.map((h, i): [string, (string | number)[]] => [h, ['redirects', i]]),
      ];
      for (const [host, path] of hosts) {
        if (seen.has(host)) ctx.addIssue({ code: 'custom', path, message: `host ${host} is listed twice` });
        seen.add(host);
      }
      const slugs = new Map(site.sections.map((s) => [s.slug, s]));
      if (slugs.size !== site.sections.length) {
        ctx.addIssue({ code: 'custom', path: ['sections'], message: 'section slugs must be unique' });
      }
      site.sections.forEach((section, i) => {
        if (section.parent === undefined) return;
        const parent = slugs.get(section.parent);
        if (!parent) {
          ctx.addIssue({
            code: 'custom',
            path: ['sections', i, 'parent'],
            message: `no section ${section.parent}`,
          });
        } else if (parent.parent !== undefined) {
          // One level keeps breadcrumbs and section lists simple: News / Russia.
          ctx.addIssue({
            code: 'custom',
            path: ['sections', i, 'parent'],
            message: 'a parent cannot have a parent',
          });
        }
      });
    }),
  );

export type SiteConfig = z.output<typeof siteConfigSchema>;
export type Section = z.output<typeof sectionSchema>;

/** The hosts that serve the whole site, primary first: the "alternate addresses" of every page. */
export function servingHosts(site: SiteConfig): string[] {
  return [site.primary, ...site.mirrors];
}

/** The section and, where it has one, its parent: the breadcrumb trail, outermost first. */
export function sectionTrail(site: SiteConfig, slug: string): Section[] {
  const section = site.sections.find((s) => s.slug === slug);
  if (!section) return [];
  const parent = section.parent ? site.sections.find((s) => s.slug === section.parent) : undefined;
  return parent ? [parent, section] : [section];
}

/** A section's own slug and its children's: the sections whose articles it lists. */
export function sectionFamily(site: SiteConfig, slug: string): Set<string> {
  return new Set([slug, ...site.sections.filter((s) => s.parent === slug).map((s) => s.slug)]);
}
