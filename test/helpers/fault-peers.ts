/**
 * Misbehaving peers for the fault matrix (test/faults/), on 127.0.0.1:0, beyond the ones in
 * servers.ts: a server trickling its answer one byte a second, one sending megabytes of
 * headers or a body that never ends, a redirect to itself, one demanding a client
 * certificate, one speaking only TLS 1.0, and a switchable one for the soak. Each closes
 * every connection it holds on close().
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyPair, Pki } from './pki.js';
import { startHttpsServer, type TestServer } from './servers.js';

/** Listens on 127.0.0.1:0 and destroys open connections on close. */
export async function track(server: net.Server, scheme: string): Promise<TestServer> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  server.on('connection', (socket: net.Socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => {}).on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => {}); // handshakes the probe aborts are the point here
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

/** A TLS server handing each connection's first request bytes to `onRequest` (raw HTTP, no parser). */
function rawTls(pair: KeyPair, onRequest: (socket: tls.TLSSocket) => void): Promise<TestServer> {
  const server = tls.createServer({ cert: pair.cert, key: pair.key }, (socket) => {
    socket.on('error', () => {});
    socket.once('data', () => onRequest(socket));
  });
  return track(server, 'https');
}

/** Answers a valid response one byte per second (slowloris in reverse). */
export function startTrickleServer(pair: KeyPair): Promise<TestServer> {
  const answer = 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok';
  return rawTls(pair, (socket) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < answer.length && socket.writable) socket.write(answer.charAt(sent++));
      else clearInterval(timer);
    }, 1000);
    socket.on('close', () => clearInterval(timer));
  });
}

const TEN_MB = 10 * 1024 * 1024;

/** A status line, then 10 MB of header lines (one buffer shared by every connection). */
let hugeHead: Buffer | undefined;
function headerFlood(): Buffer {
  if (!hugeHead) {
    const line = `x-filler: ${'a'.repeat(1000)}\r\n`;
    hugeHead = Buffer.from(`HTTP/1.1 200 OK\r\n${line.repeat(Math.ceil(TEN_MB / line.length))}\r\n`);
  }
  return hugeHead;
}

/** Answers with 10 MB of headers. */
export function startHeaderFloodServer(pair: KeyPair): Promise<TestServer> {
  return rawTls(pair, (socket) => void socket.end(headerFlood()));
}

/** Answers 200 with a chunked body that never ends (written as fast as the client reads). */
export function startEndlessBodyServer(pair: KeyPair): Promise<TestServer> {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const pump = (): void => {
      while (!res.destroyed && res.write(chunk));
    };
    res.on('drain', pump);
    pump();
  });
  return track(server, 'https');
}

/** 302 to the URL asked for: a redirect loop for a client that follows redirects. */
export function startRedirectLoopServer(pair: KeyPair): Promise<TestServer> {
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    req.resume();
    res.writeHead(302, { location: `https://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}` }).end();
  });
  return track(server, 'https');
}

/** Demands a client certificate from `clientCa` and rejects clients without one. */
export function startClientCertServer(pair: KeyPair, clientCa: string): Promise<TestServer> {
  const server = https.createServer({ cert: pair.cert, key: pair.key, ca: clientCa, requestCert: true, rejectUnauthorized: true }, (req, res) => {
    req.resume();
    res.end('ok');
  });
  return track(server, 'https');
}

/**
 * Speaks TLS 1.0 and nothing newer. OpenSSL 3 refuses TLS 1.0 at its default security
 * level (SHA-1 in the handshake), so the server lowers it to 0: the refusal a client sees is
 * then its own, not this server's.
 */
export function startTls10Server(pair: KeyPair): Promise<TestServer> {
  const server = https.createServer(
    { cert: pair.cert, key: pair.key, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' },
    (req, res) => {
      req.resume();
      res.end('ok');
    },
  );
  return track(server, 'https');
}

export type SwitchMode = 'ok' | 'hang' | 'reset' | 'status_500' | 'slow';

/** An HTTP server whose behaviour is switched at run time (soak). */
export interface SwitchableServer extends TestServer {
  mode: SwitchMode;
}

export async function startSwitchableServer(initial: SwitchMode = 'ok'): Promise<SwitchableServer> {
  const state = { mode: initial };
  const server = http.createServer((req, res) => {
    req.resume();
    switch (state.mode) {
      case 'ok':
        return void res.end('ok');
      case 'hang':
        return; // the probe times out; close() destroys the socket
      case 'reset':
        return void req.socket.resetAndDestroy();
      case 'status_500':
        return void res.writeHead(500).end('broken');
      case 'slow': {
        const timer = setTimeout(() => res.end('late'), 300 + Math.random() * 700);
        res.on('close', () => clearTimeout(timer));
      }
    }
  });
  const base = await track(server, 'http');
  return Object.defineProperty(base, 'mode', { get: () => state.mode, set: (m: SwitchMode) => (state.mode = m), enumerable: true }) as SwitchableServer;
}

/** The healthy target of every group: HTTPS with a certificate from the test CA, trusted through tls.ca_file. */
export async function startHealthyHttps(pki: Pki, dir: string): Promise<{ server: TestServer; caFile: string; yaml: string }> {
  const caFile = join(dir, 'test-ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  const server = await startHttpsServer(pki.valid);
  return { server, caFile, yaml: `url: "${server.url().href}", tls: {ca_file: "${caFile}"}` };
}
