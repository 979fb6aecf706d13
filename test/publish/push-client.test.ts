// The publisher's side of push: the event goes to the admin endpoint with the secret; an event the
// worker did not take is kept and sent, merged, with the next one; a refusal is not retried.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminRequestError, adminTarget, sendPublishEvent } from '../../src/publish/node/push-client';

interface Received {
  authorization: string | undefined;
  body: unknown;
}

let dir: string;
let server: Server;
let origin: string;
const received: Received[] = [];
let answer = 202;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mirrorwire-push-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ authorization: req.headers.authorization, body: JSON.parse(body) });
      res.writeHead(answer, { 'Content-Type': 'application/json' });
      res.end(
        answer === 202 ? '{"data":{"queued":3,"websub":2,"webhooks":1}}' : '{"error":{"message":"no"}}',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the stand-in worker has no port');
  origin = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('sending a publish event', () => {
  it('keeps an event the worker could not take, and sends it merged with the next', async () => {
    const pending = join(dir, 'pending.json');
    const closed = { origin: 'http://127.0.0.1:9', secret: 's3cret' };
    const first = { gen: 2, from: 0, to: 15, feeds: ['/rss.xml'] };
    await expect(sendPublishEvent(closed, first, pending)).rejects.toThrow(AdminRequestError);
    // Saved for that worker only: another origin does not pick it up.
    await writeFile(pending, (await readFile(pending, 'utf8')).replace(closed.origin, origin));

    const second = { gen: 3, from: 15, to: 16, feeds: ['/atom.xml'] };
    const sent = await sendPublishEvent({ origin, secret: 's3cret' }, second, pending);
    expect(sent).toEqual({ event: { gen: 3, from: 0, to: 16, feeds: ['/atom.xml', '/rss.xml'] }, queued: 3 });
    expect(received.at(-1)).toEqual({ authorization: 'Bearer s3cret', body: sent.event });
    await expect(readFile(pending, 'utf8')).rejects.toThrow();
  });

  it('does not retry a refusal', async () => {
    answer = 401;
    const before = received.length;
    await expect(
      sendPublishEvent(
        { origin, secret: 'wrong' },
        { gen: 1, from: 0, to: 1, feeds: [] },
        join(dir, 'p2.json'),
      ),
    ).rejects.toThrow(/answered 401: no/);
    expect(received.length - before).toBe(1);
    answer = 202;
  });

  it('finds the local secret in .dev.vars, the remote one only in the environment', async () => {
    const devVars = join(dir, '.dev.vars');
    await writeFile(devVars, 'OTHER=1\nPUBLISH_EVENTS_SECRET="from-dev-vars"\n');
    expect(
      await adminTarget({ local: true, primary: 'www.presstv.ir', env: {}, devVarsPath: devVars }),
    ).toEqual({
      origin: 'http://127.0.0.1:8787',
      secret: 'from-dev-vars',
    });
    expect(
      await adminTarget({ local: false, primary: 'www.presstv.ir', env: {}, devVarsPath: devVars }),
    ).toEqual({
      origin: 'https://www.presstv.ir',
      secret: undefined,
    });
    const env = { PUBLISH_EVENTS_SECRET: 'from-env', MIRRORWIRE_PUSH_URL: 'https://push.example/' };
    expect(await adminTarget({ local: false, primary: 'www.presstv.ir', env })).toEqual({
      origin: 'https://push.example',
      secret: 'from-env',
    });
  });
});
