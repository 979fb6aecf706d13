// `npm run test:long`: sweeps too long for `npm test` (CI runs both). Same workerd set-up as the
// `workers` project in vitest.config.ts.
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: { compatibilityFlags: ['nodejs_compat'] },
    }),
  ],
  test: {
    name: 'long',
    deps: { optimizer: { ssr: { enabled: true, include: ['sanitize-html', 'markdown-it'] } } },
    include: ['test/long/**/*.test.ts'],
  },
});
