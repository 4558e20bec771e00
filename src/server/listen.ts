import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { Express } from 'express';

/** Starts the listener (plain HTTP unless `make` says otherwise, see web-tls.ts); resolves with the bound port (useful with port 0). */
export function listen(app: Express, host: string | undefined, port: number, make: (app: Express) => Server = (a) => createServer(a)): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = make(app);
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}

/** Stops accepting, ends idle keep-alive connections, and waits for the rest. */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
