// 400, 404, 405, 410, 500 and 503 pages in the site's layout. The message is ours, never the request's
// text; a removed article's page adds when it was removed and the editors' public reason.
/** @jsxRuntime automatic @jsxImportSource hono/jsx */

import type { SiteConfig } from '../config/site-config';
import type { ManifestSection } from '../storage/records';
import { formatDay } from './format';
import { Layout } from './Layout';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Page not found',
  405: 'Method not allowed',
  410: 'Article removed',
  421: 'Misdirected request',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

const EXPLANATIONS: Record<number, string> = {
  400: 'The address is malformed, or has a parameter we cannot read.',
  404: 'We could not find that page. It may have moved, or the address may be mistyped.',
  405: 'This address can only be read.',
  410: 'This article has been removed and is no longer available.',
  500: 'We could not show this page. Please try again in a moment.',
  503: 'We could not reach our archive. Please try again in a moment.',
};

export function errorTitle(status: number): string {
  return TITLES[status] ?? 'Error';
}

export function ErrorPage({
  site,
  sections,
  status,
  reference,
  removal,
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  status: number;
  /** The request id, shown on 5xx pages so a reader can quote it. */
  reference?: string | undefined;
  /** A 410's details: when the article was removed and, when given, why. */
  removal?: { removedAt: string; reason: string | undefined } | undefined;
}) {
  return (
    <Layout
      site={site}
      sections={sections}
      meta={{ title: errorTitle(status), description: errorTitle(status) }}
    >
      <div class="error-page">
        <h1 class="page-title">{errorTitle(status)}</h1>
        <p>{EXPLANATIONS[status] ?? EXPLANATIONS[500]}</p>
        {removal && (
          <p class="removal" dir="auto">
            Removed on <time datetime={removal.removedAt}>{formatDay(removal.removedAt)}</time>
            {removal.reason ? <>: {removal.reason}</> : '.'}
          </p>
        )}
        {reference && (
          <p class="error-reference">
            If this keeps happening, please quote this reference: <code>{reference}</code>
          </p>
        )}
        <p>
          <a href="/">Go to the home page</a>
        </p>
      </div>
    </Layout>
  );
}
