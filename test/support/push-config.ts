// The push configuration every workerd test runs with (vitest.config.ts lays it over wrangler.toml):
// the admin secret, four partners and their signing secrets. Plain constants, so the config file
// (Node) and the tests (workerd) share them; the secrets are test values, used nowhere else.

export const TEST_PUBLISH_EVENTS_SECRET = 'test-publish-events-secret';

/** whsec_ + base64 of 32 patterned bytes: the shape `openssl rand -base64 32` gives, none of its secrecy. */
export const TEST_WEBHOOK_SECRETS = {
  WEBHOOK_SECRET_WIRE: 'whsec_QEFCQ0RFRkdISUpLTE1OT1BRUlNUVVZXWFlaW1xdXl8=',
  WEBHOOK_SECRET_SPORT: 'whsec_3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w3q2+7w0=',
  WEBHOOK_SECRET_FLAKY: 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
  WEBHOOK_SECRET_DOWN: 'whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=',
} as const;

export const TEST_PARTNERS = [
  { name: 'wire', url: 'https://wire.partner.example/hooks/mirrorwire', secret: 'WEBHOOK_SECRET_WIRE' },
  {
    name: 'sport-desk',
    url: 'https://sport.partner.example/incoming',
    secret: 'WEBHOOK_SECRET_SPORT',
    sections: ['sport'],
  },
  { name: 'flaky', url: 'https://flaky.partner.example/hook', secret: 'WEBHOOK_SECRET_FLAKY' },
  { name: 'down', url: 'https://down.partner.example/hook', secret: 'WEBHOOK_SECRET_DOWN' },
] as const;

/** Bindings for the workerd project: retries without delay, so a test sees all thirteen attempts. */
export const TEST_PUSH_BINDINGS = {
  PUBLISH_EVENTS_SECRET: TEST_PUBLISH_EVENTS_SECRET,
  WEBHOOK_PARTNERS: JSON.stringify(TEST_PARTNERS),
  PUSH_RETRY_BASE_SECONDS: '0',
  PUSH_RETRY_MAX_SECONDS: '0',
  ...TEST_WEBHOOK_SECRETS,
};
