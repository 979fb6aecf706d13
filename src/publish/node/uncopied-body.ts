// An HTTP request whose body is sent from the caller's own bytes. `fetch` sends a copy of a body
// (the Fetch standard's "copy of the bytes held by the buffer source"), made when the request is
// and freed only once collected: four 10 MB bulk writes in flight, and the copies of those already
// sent, held more memory outside the JS heap than anything else as a publish wrote (see
// docs/publishing-measured.md, "The bulk writes' bodies"). node:http writes the given bytes to the socket.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { buffer as readWhole } from 'node:stream/consumers';

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

/** A slice of a body written at a time (a view of it, not a copy). */
const SLICE_BYTES = 256 * 1024;

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
            headers: {
              ...headers,
              'content-length': String(body.byteLength),
              // node:http decodes no compressed answer (fetch did): ask for none.
              'accept-encoding': 'identity',
            },
            agent: secure ? agents.https : agents.http,
            signal,
          },
          // The whole answer; one cut off (the connection lost, the request aborted) rejects.
          (answer) =>
            readWhole(answer)
              .then((bytes) => responseOf(answer, bytes))
              .then(resolve, reject),
        );
        // A failed request ends here; a slice still waiting to be written then never is.
        outgoing.on('error', reject);
        // In slices, each written once the last has drained: TLS encrypts what it is given at once,
        // into a buffer of its own, so a body given whole would be held twice again.
        let offset = 0;
        const writeSlices = () => {
          while (offset < body.byteLength) {
            const slice = body.subarray(offset, offset + SLICE_BYTES);
            offset += slice.byteLength;
            if (!outgoing.write(slice)) return void outgoing.once('drain', writeSlices);
          }
          outgoing.end();
        };
        writeSlices();
      });
    },
  };
}

/** The answer as a Response; one that is no HTTP answer `fetch` would give, or encoded, throws. */
function responseOf(answer: IncomingMessage, body: Uint8Array<ArrayBuffer>): Response {
  const status = answer.statusCode ?? 0;
  // A Response takes 200–599; anything else is no answer of HTTP's final kind.
  if (status < 200 || status > 599) throw new Error(`an answer with status ${status}`);
  const encoding = answer.headers['content-encoding'];
  if (encoding && encoding !== 'identity') throw new Error(`an answer encoded as ${encoding}, not asked for`);
  const empty = status === 204 || status === 205 || status === 304;
  const headers = new Headers();
  for (const [name, values] of Object.entries(answer.headersDistinct))
    for (const value of values ?? []) headers.append(name, value);
  return new Response(empty ? null : body, { status, headers });
}
