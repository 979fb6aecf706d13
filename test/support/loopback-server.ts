// The network side every local stand-in shares (kv-rest-standin.ts, r2-s3-standin.ts): listen on
// 127.0.0.1 at a free port, hold responses a "hang" fault never answers, and close without waiting
// on them.
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  /** Never answers `response`; close() cuts it. */
  hang(response: ServerResponse): void;
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  const hanging = new Set<ServerResponse>();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    hang(response) {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
