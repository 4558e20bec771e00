/**
 * Ports for daemons that cannot listen on 0 and say which port they got (Prometheus,
 * Alertmanager, coturn): one free a moment ago, and another when the daemon finds it taken
 * (another process bound it between the check and the daemon's own bind).
 */
import dgram from 'node:dgram';
import net from 'node:net';

/** The daemon found its port taken; onFreePort() then tries another. */
export class PortTakenError extends Error {}

/** A port free right now on 127.0.0.1 for TCP, and for UDP as well with `udp`. */
export async function freePort({ udp = false }: { udp?: boolean } = {}): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const free = !udp || (await udpFree(port));
    await new Promise((resolve) => server.close(resolve));
    if (free) return port;
  }
}

async function udpFree(port: number): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  const bound = await new Promise<boolean>((resolve) => {
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => resolve(true));
  });
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return bound;
}

export interface PortOptions {
  attempts?: number;
  /** Tried first instead of a free one (tests of the helpers). */
  firstPort?: number;
  /** The port must be free for UDP too. */
  udp?: boolean;
}

/** `start` on a free port, again on another (up to `attempts`) while it throws PortTakenError. */
export async function onFreePort<T>(start: (port: number) => Promise<T>, { attempts = 3, firstPort, udp }: PortOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && firstPort !== undefined ? firstPort : await freePort({ udp });
    try {
      return await start(port);
    } catch (err) {
      if (attempt >= attempts || !(err instanceof PortTakenError)) throw err;
    }
  }
}
