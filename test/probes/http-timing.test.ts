/**
 * Where the first_byte clock starts and stops: before the request's bytes are handed to the
 * kernel, and at the response's first bytes, never at TLS 1.3 session tickets the server sends
 * before answering.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrument } from '../../src/probes/http-timing.js';
import { httpProbe } from '../../src/probes/http.js';
import { now } from '../../src/util/clock.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { context, httpTarget, openNetworkHandles, probeOptions, settleHandles, startHttpsServer, type TestServer } from '../helpers/servers.js';

/** A TCP server that records what it received and answers each chunk with `reply`. */
async function echoServer(reply: string): Promise<{ port: number; received: () => string; close: () => Promise<void> }> {
  let received = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      socket.write(reply);
    });
    socket.on('error', () => {}).on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    received: () => received,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

async function connected(port: number): Promise<net.Socket> {
  const socket = net.connect({ host: '127.0.0.1', port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('http timing stamps', () => {
  let pki: Pki;
  let baseline: number;
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let https: TestServer;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    pki = makePki();
    echo = await echoServer('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
    // Answers 150 ms after the request; TLS 1.3 session tickets go out right after the handshake.
    https = await startHttpsServer(pki.valid, { delayMs: 150 });
  });

  afterAll(async () => {
    await echo.close();
    await https.close();
    pki.cleanup();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  it('the request is stamped before its bytes go to the kernel, the first byte after they came back', async () => {
    const socket = await connected(echo.port);
    try {
      const timing = instrument(socket);
      // The native write (write(2) inside) of the string the head is written as.
      const handle = (socket as unknown as { _handle: { writeLatin1String(...args: unknown[]): number } })._handle;
      const native = handle.writeLatin1String;
      let handedOver = 0n;
      handle.writeLatin1String = function (this: unknown, ...args: unknown[]): number {
        handedOver = now();
        return Reflect.apply(native, this, args) as number;
      };
      const before = now();
      socket.write('GET / HTTP/1.1\r\n\r\n', 'latin1');
      expect(handedOver).toBeGreaterThan(0n);
      expect(timing.written! >= before).toBe(true);
      // Never after: a thread descheduled inside write(2) would shorten first_byte below the wire's.
      expect(timing.written! <= handedOver).toBe(true);
      await until(() => timing.firstByte !== undefined);
      expect(timing.firstByte! > handedOver).toBe(true);
      expect(timing.httpVersion).toBe('1.1');
    } finally {
      socket.destroy();
    }
  });

  it('TLS 1.3 session tickets sent before the answer do not count as the first byte', async () => {
    // The server does send tickets: a client listening for sessions receives at least one.
    const ticket = await new Promise<boolean>((resolve) => {
      const client = tls.connect({ host: '127.0.0.1', port: https.port, servername: 'localhost', ca: pki.ca.cert });
      client.once('session', () => (resolve(true), client.destroy()));
      client.on('error', () => resolve(false)).once('close', () => resolve(false));
      // The server only closes an idle connection after minutes: end ours after the answer.
      client.once('secureConnect', () => client.end('GET / HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n'));
      client.resume();
    });
    expect(ticket).toBe(true);

    const result = await httpProbe(httpTarget(https.url()), probeOptions({ tls: { ca: pki.ca.cert } }), context());
    expect(result.success).toBe(true);
    expect(result.tls?.version).toBe('TLSv1.3');
    // The tickets arrive within a round trip of the handshake; the answer 150 ms after the request.
    expect(result.phases.first_byte).toBeGreaterThanOrEqual(0.15);
    expect(result.phases.tls).toBeGreaterThan(0);
  });
});
