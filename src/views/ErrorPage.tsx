// 400, 404, 405, 500 and 503 pages in the site's layout. The message is ours, never the request's text.
import type { ManifestSection } from '../articles/article';
import type { SiteConfig } from '../sites/site-config';
import { Layout } from './Layout';

const TITLES: Record<number, string> = {
  400: 'Bad request',
  404: 'Page not found',
  405: 'Method not allowed',
  421: 'Misdirected request',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

const EXPLANATIONS: Record<number, string> = {
  400: 'The address is malformed, or has a parameter we cannot read.',
  404: 'We could not find that page. It may have moved, or the address may be mistyped.',
  405: 'This address can only be read.',
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
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  status: number;
  /** The request id, shown on 5xx pages so a reader can quote it. */
  reference?: string | undefined;
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
