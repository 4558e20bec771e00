/**
 * Real servers on 127.0.0.1:0 for probe tests, each closable (open connections are
 * destroyed on close so no handle outlives a test file).
 */
import dgram from 'node:dgram';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { HttpTargetSpec, ProbeContext, ProbeOptions, ProbeTarget } from '../../src/probes/target.js';
import type { KeyPair } from './pki.js';

export interface TestServer {
  port: number;
  /** `${scheme}://127.0.0.1:${port}${path}` */
  url(path?: string): URL;
  /** Connections accepted so far. */
  connections(): number;
  close(): Promise<void>;
}

export interface CannedResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long after the request was read before answering. */
  delayMs?: number;
}

export type Responder = CannedResponse | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

/** Listens on 127.0.0.1:0 and tracks sockets so close() never waits on a keep-alive or a hung peer. */
async function serve(server: net.Server, scheme: string): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (socket: net.Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {}).on('close', () => sockets.delete(socket));
  });
  // A TLS server reports client-side handshake aborts here; they are expected in these tests.
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: (path = '/') => new URL(`${scheme}://127.0.0.1:${port}${path}`),
    connections: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function respond(responder: Responder): http.RequestListener {
  if (typeof responder === 'function') return responder;
  const { status = 200, headers = {}, body = 'ok', delayMs = 0 } = responder;
  return (req, res) => {
    // Answer only once the whole request was read, so a delay is measured from the request.
    req.resume().on('end', () => {
      const timer = setTimeout(() => {
        res.writeHead(status, { 'content-type': 'text/plain', ...headers });
        res.end(body);
      }, delayMs);
      res.on('close', () => clearTimeout(timer));
    });
  };
}

/** HTTPS server; `pair.cert` may hold a whole chain (leaf first); `tlsOptions`: more of its TLS settings (e.g. ciphers). */
export function startHttpsServer(pair: KeyPair, responder: Responder = {}, tlsOptions: https.ServerOptions = {}): Promise<TestServer> {
  return serve(https.createServer({ ...tlsOptions, cert: pair.cert, key: pair.key }, respond(responder)), 'https');
}

export function startHttpServer(responder: Responder = {}): Promise<TestServer> {
  return serve(http.createServer(respond(responder)), 'http');
}

/** Accepts and never sends a byte: a TLS handshake that hangs, or an HTTP request never answered. */
export function startSilentServer(scheme = 'https'): Promise<TestServer> {
  // Reads (and drops) what arrives so the client's FIN is seen and the socket closes.
  return serve(net.createServer((socket) => socket.resume()), scheme);
}

/** Resets (RST) each connection right after accept, or once the first bytes arrived. */
export function startResetServer(when: 'accept' | 'data', scheme = 'https'): Promise<TestServer> {
  const server = net.createServer((socket) => {
    if (when === 'accept') socket.resetAndDestroy();
    else socket.once('data', () => socket.resetAndDestroy());
  });
  return serve(server, scheme);
}

/**
 * A UDP DNS server on 127.0.0.1:0 answering A queries from `hosts` (name -> IPv4),
 * NOERROR/no data for other types of a known name, NXDOMAIN otherwise. Pass
 * `{ host: '127.0.0.1', port }` in options.resolvers to give a probe a real dns phase.
 */
export async function startDnsServer(hosts: Record<string, string>): Promise<TestServer> {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', (message, peer) => {
    queries += 1;
    const query = dnsPacket.decode(message);
    const question = query.questions?.[0];
    const address = question ? hosts[question.name.toLowerCase()] : undefined;
    const known = question !== undefined && question.name.toLowerCase() in hosts;
    const answers = address && question?.type === 'A' ? [{ type: 'A' as const, name: question.name, ttl: 60, data: address }] : [];
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id,
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (known ? 0 : 3), // rcode 3: NXDOMAIN
      questions: query.questions,
      answers,
    });
    socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    port,
    url: (path = '/') => new URL(`dns://127.0.0.1:${port}${path}`),
    connections: () => queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** A port that just stopped listening: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = await serve(net.createServer(), 'http');
  await server.close();
  return server.port;
}

/** Network handles alive in this process, to check that nothing leaked. */
export function openNetworkHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => /TCP|TLS|UDP/.test(r)).length;
}

/** Polls until open network handles drop to `expected` (closes are asynchronous), returns the last count. */
export async function settleHandles(expected: number, timeoutMs = 2000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (openNetworkHandles() > expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return openNetworkHandles();
}

/** Probe options for tests: short timeout, generous caps; override what a test is about. */
export function probeOptions(overrides: {
  timeoutSeconds?: number;
  tls?: Partial<ProbeOptions['tls']>;
  http?: Partial<ProbeOptions['http']>;
} = {}): ProbeOptions {
  return {
    timeoutSeconds: overrides.timeoutSeconds ?? 5,
    ipVersion: 'prefer_ipv4',
    resolvers: [],
    tls: { insecureSkipVerify: false, ...overrides.tls },
    http: { maxBodyBytes: 1 << 20, maxHeaderBytes: 16 * 1024, ...overrides.http },
  };
}

export function httpTarget(url: URL, spec: Partial<Omit<HttpTargetSpec, 'kind' | 'url'>> = {}): ProbeTarget & { spec: HttpTargetSpec } {
  return { name: 'test', spec: { kind: 'http', url, method: 'GET', headers: {}, ...spec } };
}

export function context(signal: AbortSignal = new AbortController().signal): ProbeContext {
  return { signal };
}
