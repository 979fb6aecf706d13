// The publish command's request with an uncopied body (src/publish/node/uncopied-body.ts), against
// a plain node:http server on 127.0.0.1: what it sends, and how it reads what `fetch` would have
// read for it (an answer with no body, one it did not ask to be compressed, one cut off).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { buffer as readWhole } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { uncopiedBodyClient } from '../../src/publish/node/uncopied-body';
import { type LoopbackServer, listenOnLoopback } from '../support/loopback-server';

interface Received {
  method: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

let server: LoopbackServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server that answers each request with `answer`, once it has read the whole body. */
async function serve(
  answer: (response: ServerResponse, received: Received) => void,
): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const listening = await listenOnLoopback(
    createServer(async (request, response) => {
      const each = { method: request.method ?? '', headers: request.headers, body: await readWhole(request) };
      received.push(each);
      answer(response, each);
    }),
  );
  server = listening;
  return { url: `http://127.0.0.1:${listening.port}/bulk`, received };
}

const send = (url: string, body: Uint8Array, signal = AbortSignal.timeout(5000)) =>
  uncopiedBodyClient().send(url, {
    method: 'PUT',
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    body,
    signal,
  });

describe('a request whose body is sent uncopied', () => {
  it('sends the body whole with its length, asks for no compression, and answers as a Response', async () => {
    const { url, received } = await serve((response, { body }) => {
      response.writeHead(201, { 'content-type': 'application/json', 'x-seen': String(body.length) });
      response.end('{"success":true}');
    });
    // About 1.1 MB of several bytes a character: written in slices cut inside characters.
    const body = Buffer.from(`["${'خبر — '.repeat(100_000)}"]`);
    const answer = await send(url, body.subarray(0, body.length));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-seen')).toBe(String(body.length));
    expect(await answer.json()).toEqual({ success: true });
    const [request] = received;
    expect(request?.method).toBe('PUT');
    expect(request?.headers['content-length']).toBe(String(body.length));
    expect(request?.headers['accept-encoding']).toBe('identity');
    expect(request?.headers.authorization).toBe('Bearer t');
    expect(request?.headers['transfer-encoding']).toBeUndefined();
    expect(request?.body.equals(body)).toBe(true);
  });

  it('reads an answer with no body as fetch does', async () => {
    const { url } = await serve((response) => {
      response.writeHead(204, { 'retry-after': '3' });
      response.end();
    });
    const answer = await send(url, Buffer.from('[]'));
    expect(answer.status).toBe(204);
    expect(answer.headers.get('retry-after')).toBe('3');
    expect(await answer.text()).toBe('');
  });

  it('refuses an answer compressed though it was asked for none, rather than read it as empty', async () => {
    const { url } = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync('{"success":false}'));
    });
    await expect(send(url, Buffer.from('[]'))).rejects.toThrow(/encoded as gzip, not asked for/);
  });

  it('fails, and does not hang, when the answer is cut off or the signal gives up', async () => {
    const cut = await serve((response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"succ', () => response.socket?.destroy());
    });
    await expect(send(cut.url, Buffer.from('[]'))).rejects.toMatchObject({ code: 'ECONNRESET' });
    await server?.close();

    const silent = await serve((response) => {
      // Headers, then nothing more.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{');
    });
    await expect(send(silent.url, Buffer.from('[]'), AbortSignal.timeout(200))).rejects.toThrow();
  });
});
