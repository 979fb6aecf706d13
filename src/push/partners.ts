// Partner webhooks as the operator configures them (wrangler var WEBHOOK_PARTNERS, JSON): a name, a
// URL, the *name* of the worker secret that signs deliveries, and an optional filter. Secrets stay
// in `wrangler secret` / `.dev.vars`; only their names are configuration.
import * as z from 'zod/mini';
import type { ApiArticle, Change } from '../api/schemas';
import { pushUrlSchema } from '../config/push-url';
import type { SiteConfig } from '../config/site-config';
import { sectionFamily } from '../config/site-config';

const PARTNER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62})$/;
// Only secrets under this prefix can sign: a typo cannot turn PARTNER_KEYS into an HMAC key.
const SECRET_NAME = /^WEBHOOK_SECRET_[A-Z0-9_]{1,64}$/;

export const partnerSchema = z.strictObject({
  name: z.string().check(z.regex(PARTNER_NAME, 'must be lowercase letters, digits and hyphens')),
  url: pushUrlSchema,
  secret: z.string().check(z.regex(SECRET_NAME, 'must name a secret WEBHOOK_SECRET_…')),
  /** Only articles of these sections (a parent includes its children). */
  sections: z.optional(z.array(z.string()).check(z.minLength(1))),
  /** Only articles with one of these tags (case-insensitive). */
  tags: z.optional(z.array(z.string()).check(z.minLength(1))),
});

export const partnersSchema = z.array(partnerSchema).check(
  z.refine((partners) => new Set(partners.map((p) => p.name)).size === partners.length, {
    message: 'partner names must be unique',
  }),
);

export type Partner = z.output<typeof partnerSchema>;

export class PartnerConfigError extends Error {
  override readonly name = 'PartnerConfigError';
}

// Parsed once per isolate and value: every message of a batch looks its partner up.
const parsed = new Map<string, Partner[]>();

/** The partners in WEBHOOK_PARTNERS (absent or empty: none); a malformed value throws PartnerConfigError. */
export function readPartners(raw: string | undefined): Partner[] {
  const text = raw?.trim() ?? '';
  if (text === '') return [];
  const known = parsed.get(text);
  if (known) return known;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message would quote the value; saying which variable is wrong is enough.
    throw new PartnerConfigError('WEBHOOK_PARTNERS is not JSON');
  }
  const result = z.safeParse(partnersSchema, json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new PartnerConfigError(`WEBHOOK_PARTNERS ${where}: ${issue?.message ?? 'wrong shape'}`);
  }
  parsed.set(text, result.data);
  return result.data;
}

function matchesFilter(partner: Partner, article: ApiArticle, site: SiteConfig): boolean {
  if (partner.sections) {
    const wanted = new Set(partner.sections.flatMap((slug) => [...sectionFamily(site, slug)]));
    if (!wanted.has(article.section)) return false;
  }
  if (partner.tags) {
    const wanted = new Set(partner.tags.map((tag) => tag.toLowerCase()));
    if (!article.tags.some((tag) => wanted.has(tag.toLowerCase()))) return false;
  }
  return true;
}

/**
 * Does this partner get this change? Upserts pass its filter; removals always go to everyone, since
 * a tombstone carries no section or tags, and deleting what one never had is harmless.
 */
export function partnerWants(partner: Partner, change: Change, site: SiteConfig): boolean {
  return change.type === 'removal' || matchesFilter(partner, change.article, site);
}
