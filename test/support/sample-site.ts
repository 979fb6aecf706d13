// A fixed site configuration for pure tests of host handling: the sample outlet's hosts, written
// out so a change to content/site.yaml cannot silently change what these tests assert.
import type { SiteConfig } from '../../src/config/site-config';

export const SAMPLE_ONION = 'presstvmirrorexamplexamplexamplexamplexamplexamplexampld.onion';

export const SAMPLE_SITE: SiteConfig = {
  name: 'Press TV',
  description: 'News',
  language: 'en',
  primary: 'www.presstv.ir',
  mirrors: ['presstv.example', 'mirror.presstv.example'],
  redirects: ['presstv.ir'],
  onion: SAMPLE_ONION,
  sections: [{ slug: 'news', title: 'News' }],
};
