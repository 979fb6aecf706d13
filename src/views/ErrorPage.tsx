// 400, 404 and 500 pages in the site's layout. The message is ours, never the request's text.
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
  400: 'The address has a parameter we cannot read.',
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
}: {
  site: SiteConfig;
  sections: ManifestSection[];
  status: number;
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
        <p>
          <a href="/">Go to the home page</a>
        </p>
      </div>
    </Layout>
  );
}
