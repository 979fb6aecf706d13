// An HTTP request whose body is sent from the caller's own bytes. `fetch` sends a copy of a body
// (the Fetch standard's "copy of the bytes held by the buffer source"), made when the request is
// and freed only once collected: four 10 MB bulk writes in flight, and the copies of those already
// sent, held more memory outside the JS heap than anything else as a publish wrote (see
// docs/performance.md, "The bulk writes' bodies"). node:http writes the given bytes to the socket.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface BodyRequest {
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
  signal: AbortSignal;
}

/** Sends requests with bodies over connections it keeps open between them, as `fetch` does. */
export interface UncopiedBodyClient {
  /** The answer as a `Response`, so that it is read as any other; rejects as `fetch` would. */
  send(url: string, init: BodyRequest): Promise<Response>;
}

export function uncopiedBodyClient(): UncopiedBodyClient {
  // Idle kept-alive sockets do not hold the process open (Node unrefs them).
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  return {
    send(url, { method, headers, body, signal }) {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const request = secure ? httpsRequest : httpRequest;
      return new Promise((resolve, reject) => {
        const outgoing = request(
          target,
          {
            method,
            headers: { ...headers, 'content-length': String(body.byteLength) },
            agent: secure ? agents.https : agents.http,
            signal,
          },
          (answer) => readAnswer(answer).then(resolve, reject),
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    },
  };
}

/** The whole answer; an answer cut off (the connection lost, the request aborted) rejects. */
function readAnswer(answer: IncomingMessage): Promise<Response> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    answer.on('data', (chunk: Buffer) => chunks.push(chunk));
    // An answer cut off, by the connection or by the signal, ends in an error.
    answer.on('error', reject);
    answer.on('end', () => {
      const status = answer.statusCode ?? 0;
      // A Response takes 200–599; anything else is no answer of HTTP's final kind.
      if (status < 200 || status > 599) return reject(new Error(`an answer with status ${status}`));
      const empty = status === 204 || status === 205 || status === 304;
      const headers = new Headers();
      for (const [name, value] of Object.entries(answer.headers))
        for (const each of Array.isArray(value) ? value : value === undefined ? [] : [value])
          headers.append(name, each);
      resolve(new Response(empty ? null : Buffer.concat(chunks), { status, headers }));
    });
  });
}
