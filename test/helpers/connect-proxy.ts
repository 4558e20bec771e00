/**
 * A real forward proxy for tests: HTTP CONNECT on 127.0.0.1:0, optional Basic auth, an
 * optional delay before answering CONNECT (known proxy cost), and scripted misbehaviour.
 * It resolves target names itself (a `hosts` map, else the name as given), as a proxy does.
 */
import net from 'node:net';
import { sleepAtLeast } from './sleep.js';

export type ProxyBehaviour =
  /** Open the tunnel (after auth and delay). */
  | { kind: 'tunnel' }
  /** Answer this status and close. */
  | { kind: 'status'; status: number }
  /** Send these bytes and keep the connection open. */
  | { kind: 'raw'; bytes: string | Buffer }
  /** Read the request and never answer. */
  | { kind: 'silent' }
  /** Close as soon as the request head was read. */
  | { kind: 'close' };

export interface ConnectProxyOptions {
  auth?: { username: string; password: string };
  delayMs?: number;
  hosts?: Record<string, string>;
}

export interface ConnectProxy {
  port: number;
  /** `http://[user:pass@]127.0.0.1:port` with the given credentials (none: no userinfo). */
  url(credentials?: { username: string; password: string }): URL;
  /** Tunnels opened to a target so far. */
  tunnels(): number;
  /** CONNECT request heads received, in order (the request line and headers as sent). */
  requests: string[];
  behave(behaviour: ProxyBehaviour): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

const MAX_HEAD = 64 * 1024;

/** Reads up to the blank line ending a request head; resolves undefined on close or overflow. */
function readHead(socket: net.Socket): Promise<{ head: string; rest: Buffer } | undefined> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0 && buf.length < MAX_HEAD) return;
      socket.off('data', onData).off('close', onClose);
      socket.pause();
      resolve(end < 0 ? undefined : { head: buf.subarray(0, end).toString('latin1'), rest: buf.subarray(end + 4) });
    };
    const onClose = (): void => resolve(undefined);
    socket.on('data', onData).once('close', onClose);
  });
}

export async function startConnectProxy(options: ConnectProxyOptions = {}): Promise<ConnectProxy> {
  const sockets = new Set<net.Socket>();
  const requests: string[] = [];
  let behaviour: ProxyBehaviour = { kind: 'tunnel' };
  let delayMs = options.delayMs ?? 0;
  let tunnels = 0;
  const expected = options.auth ? `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}` : undefined;
  const track = (socket: net.Socket): net.Socket => {
    sockets.add(socket);
    return socket.on('error', () => {}).on('close', () => sockets.delete(socket));
  };

  const tunnel = (client: net.Socket, authority: string, rest: Buffer): void => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(authority);
    if (!match) return void client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    const host = match[1] as string;
    const upstream = track(net.connect({ host: options.hosts?.[host] ?? host, port: Number(match[2]), noDelay: true }));
    upstream.once('connect', () => {
      tunnels += 1;
      client.write('HTTP/1.1 200 Connection established\r\nProxy-Agent: test-connect-proxy\r\n\r\n');
      if (rest.length) upstream.write(rest);
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.once('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  };

  const handle = async (client: net.Socket): Promise<void> => {
    const request = await readHead(client);
    if (!request) return void client.destroy();
    requests.push(request.head);
    const [line = '', ...headers] = request.head.split('\r\n');
    const now = behaviour;
    if (delayMs > 0) await sleepAtLeast(delayMs);
    if (client.destroyed) return;
    if (now.kind === 'silent') return;
    if (now.kind === 'close') return void client.destroy();
    if (now.kind === 'raw') return void client.write(now.bytes);
    if (now.kind === 'status') return void client.end(`HTTP/1.1 ${now.status} Scripted\r\nContent-Length: 0\r\n\r\n`);
    const auth = headers.find((h) => /^proxy-authorization:/i.test(h))?.replace(/^[^:]*:\s*/, '');
    if (expected !== undefined && auth !== expected) {
      return void client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
    }
    const connect = /^CONNECT (\S+) HTTP\/1\.[01]$/.exec(line);
    if (!connect) return void client.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n');
    tunnel(client, connect[1] as string, request.rest);
  };

  // No Nagle on either leg, as a real proxy: otherwise delayed ACKs add ~40 ms to first_byte.
  const server = net.createServer({ noDelay: true }, (socket) => void handle(track(socket)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: (credentials) => {
      const url = new URL(`http://127.0.0.1:${port}`);
      if (credentials) {
        url.username = encodeURIComponent(credentials.username);
        url.password = encodeURIComponent(credentials.password);
      }
      return url;
    },
    tunnels: () => tunnels,
    requests,
    behave: (b) => void (behaviour = b),
    setDelay: (ms) => void (delayMs = ms),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
