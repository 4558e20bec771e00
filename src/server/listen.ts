import type { RequestListener, Server } from 'node:http';
import { createServer } from 'node:http';

/** Starts the listener (plain HTTP unless `make` says otherwise, see web-tls.ts); resolves with the bound port (useful with port 0). */
export function listen(app: RequestListener, host: string | undefined, port: number, make: (app: RequestListener) => Server = (a) => createServer(a)): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = make(app);
    server.once('error', reject);
    server.listen({ host, port }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : port });
    });
  });
}

/** Grace for requests in flight at shutdown before their connections are cut. */
const CLOSE_GRACE_MS = 1000;

/**
 * Stops accepting, ends idle keep-alive connections, and gives the rest a second: a status
 * page polling over keep-alive must not hold a shutdown open.
 */
export function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
