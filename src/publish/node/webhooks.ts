// `npm run webhooks -- (--local | --remote) --status | --replay ID… | --replay-all | --resend`:
// the operator's view of push delivery through the worker's admin endpoint (docs/push.md).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import * as z from 'zod/mini';
import {
  AdminRequestError,
  adminRequest,
  adminTarget,
  pendingEventPath,
  SECRET_ENV,
  sendPublishEvent,
} from './push-client';

const USAGE = `Usage: npm run webhooks -- (--local | --remote) (--status | --replay ID… | --replay-all | --resend)

  --status      dead letters (deliveries that used up their retries) and deliveries being retried;
                exits 1 while there are dead letters, so a scheduled check can alert
  --replay ID…  put these dead letters back on the queue (same ids: receivers de-duplicate)
  --replay-all  put every dead letter back on the queue
  --resend      send the publish event a publish could not hand to the worker

  --local talks to wrangler dev (MIRRORWIRE_PUSH_URL or http://127.0.0.1:8787, secret from .dev.vars
  or ${SECRET_ENV}); --remote to the primary host over https (or MIRRORWIRE_PUSH_URL), secret from
  ${SECRET_ENV}.`;

const letterSchema = z.object({
  id: z.string(),
  attempts: z.number(),
  error: z.nullable(z.string()),
  deadAt: z.string(),
});
const failureSchema = z.object({ id: z.string(), attempts: z.number(), error: z.string(), at: z.string() });
const statusSchema = z.object({ data: z.array(letterSchema), retrying: z.array(failureSchema) });
const replaySchema = z.object({
  data: z.object({ replayed: z.array(z.string()), unknown: z.array(z.string()) }),
});

async function primaryHost(contentDir: string): Promise<string> {
  const site: unknown = parse(await readFile(join(contentDir, 'site.yaml'), 'utf8'));
  const parsed = z.safeParse(z.object({ primary: z.string() }), site);
  if (!parsed.success) throw new AdminRequestError(`${contentDir}/site.yaml names no primary host`);
  return parsed.data.primary;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      local: { type: 'boolean', default: false },
      remote: { type: 'boolean', default: false },
      status: { type: 'boolean', default: false },
      replay: { type: 'boolean', default: false },
      'replay-all': { type: 'boolean', default: false },
      resend: { type: 'boolean', default: false },
      content: { type: 'string', default: 'content' },
      'persist-to': { type: 'string', default: '.wrangler/state' },
      help: { type: 'boolean', default: false },
    },
  });
  const actions = [values.status, values.replay, values['replay-all'], values.resend].filter(Boolean).length;
  if (
    values.help ||
    values.local === values.remote ||
    actions !== 1 ||
    (values.replay && positionals.length === 0)
  ) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const local = values.local;
  const target = await adminTarget({
    local,
    primary: local ? '' : await primaryHost(values.content),
    env: process.env,
  });

  if (values.resend) {
    const sent = await sendPublishEvent(target, null, pendingEventPath(local, values['persist-to']));
    console.log(
      sent.event
        ? `webhooks: resent, ${sent.queued} deliveries queued`
        : 'webhooks: nothing waiting to be sent',
    );
    return 0;
  }
  if (values.status) {
    const status = z.parse(statusSchema, await adminRequest(target, 'GET', '/dead-letters'));
    console.log(`dead letters: ${status.data.length}`);
    for (const letter of status.data) {
      console.log(
        `  ${letter.id}  ${letter.attempts} attempts, dead since ${letter.deadAt}: ${letter.error ?? 'no error recorded'}`,
      );
    }
    console.log(`being retried: ${status.retrying.length}`);
    for (const failure of status.retrying) {
      console.log(`  ${failure.id}  attempt ${failure.attempts} failed at ${failure.at}: ${failure.error}`);
    }
    return status.data.length > 0 ? 1 : 0;
  }
  const body = values['replay-all'] ? { all: true } : { ids: positionals };
  const answer = z.parse(replaySchema, await adminRequest(target, 'POST', '/dead-letters/replay', body));
  console.log(
    `webhooks: ${answer.data.replayed.length} replayed${answer.data.replayed.map((id) => `\n  ${id}`).join('')}`,
  );
  if (answer.data.unknown.length > 0)
    console.error(`webhooks: no dead letter ${answer.data.unknown.join(', ')}`);
  return answer.data.unknown.length > 0 ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof AdminRequestError)) throw error;
  console.error(`webhooks: ${error.message}`);
  process.exitCode = 1;
}
