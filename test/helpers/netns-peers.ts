/**
 * Peers that must live inside a test network namespace, as a script:
 *   ip netns exec NS node --import tsx test/helpers/netns-peers.ts '<json PeerPlan>'
 * A healthy HTTPS server, a server resetting the connection when the ClientHello arrives,
 * and a forwarder from a Unix socket (reachable from the host: the filesystem is shared) to
 * the exporter's port inside. Prints "ready" once all listen; stops on SIGTERM.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';

export interface PeerPlan {
  certFile: string;
  keyFile: string;
  healthyPort: number;
  resetPort: number;
  socketPath: string;
  forwardPort: number;
}

function listen(server: net.Server, where: number | string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    if (typeof where === 'number') server.listen(where, '127.0.0.1', resolve);
    else server.listen(where, resolve);
  });
}

async function main(plan: PeerPlan): Promise<void> {
  const healthy = https.createServer({ cert: readFileSync(plan.certFile), key: readFileSync(plan.keyFile) }, (req, res) => {
    req.resume();
    res.end('ok');
  });
  healthy.on('tlsClientError', () => {});
  const reset = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.resetAndDestroy());
  });
  const forward = net.createServer((client) => {
    const upstream = net.connect(plan.forwardPort, '127.0.0.1');
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await Promise.all([listen(healthy, plan.healthyPort), listen(reset, plan.resetPort), listen(forward, plan.socketPath)]);
  process.once('SIGTERM', () => process.exit(0));
  process.stdout.write('ready\n');
}

const plan = process.argv[2];
if (plan) {
  main(JSON.parse(plan) as PeerPlan).catch((err: unknown) => {
    process.stderr.write(`netns peers: ${String(err)}\n`);
    process.exit(1);
  });
}
