/**
 * The TLS client start: one SecureContext per trust store reused across probes, a client
 * armed while TCP connects, Node's own check handed the leaf only, and the chain summary
 * converted once per leaf and store.
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import { connectTcp } from '../../src/probes/tcp.js';
import { secureContextFor, startTls } from '../../src/probes/tls-start.js';
import { finishHandshake } from '../../src/probes/tls.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { context, httpTarget, openNetworkHandles, probeOptions, refusedPort, settleHandles, startHttpsServer, type TestServer } from '../helpers/servers.js';

describe('tls start', () => {
  let pki: Pki;
  let baseline: number;
  let server: TestServer;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    pki = makePki();
    server = await startHttpsServer(pki.valid);
  });

  afterAll(async () => {
    await server.close();
    pki.cleanup();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  it('reuses one SecureContext per trust store across probes', () => {
    const first = secureContextFor(undefined);
    expect(secureContextFor(undefined)).toBe(first);
    const withCa = secureContextFor(pki.ca.cert);
    expect(withCa).toBe(secureContextFor(pki.ca.cert));
    expect(withCa).not.toBe(first);
    expect(secureContextFor(pki.inspectionCa.cert)).not.toBe(withCa);
  });

  it('two handshakes of the same target share the context', async () => {
    const signal = new AbortController().signal;
    const contexts: tls.SecureContext[] = [];
    for (let i = 0; i < 2; i++) {
      const { socket } = await connectTcp('127.0.0.1', server.port, signal);
      const started = startTls(socket, 'localhost', pki.ca.cert);
      const secure = await finishHandshake(started, socket, { servername: 'localhost', options: probeOptions({ tls: { ca: pki.ca.cert } }), signal });
      contexts.push(started.context);
      expect(secure.details.authorized).toBe(true);
      secure.socket.destroy();
    }
    expect(contexts[1]).toBe(contexts[0]);
  });

  it('a client armed while TCP connects handshakes once connected, timed after connect', async () => {
    const signal = new AbortController().signal;
    let armed: ReturnType<typeof startTls> | undefined;
    let wasConnecting = false;
    const { socket } = await connectTcp('127.0.0.1', server.port, signal, 5, (s) => {
      wasConnecting = s.connecting;
      armed = startTls(s, 'localhost', pki.ca.cert);
    });
    expect(wasConnecting).toBe(true);
    const secure = await finishHandshake(armed!, socket, { servername: 'localhost', options: probeOptions({ tls: { ca: pki.ca.cert } }), signal });
    try {
      expect(secure.seconds).toBeGreaterThan(0);
      expect(secure.details).toMatchObject({ version: 'TLSv1.3', authorized: true });
      expect(secure.details.chain.map((c) => c.subject)).toEqual(['localhost', 'o365-exporter Test CA']);
      // Node's check was handed the leaf only; the full method is back after the handshake.
      expect(Object.hasOwn(secure.socket, 'getPeerCertificate')).toBe(false);
      expect(secure.socket.getPeerCertificate(true).issuerCertificate?.subject?.CN).toBe('o365-exporter Test CA');
    } finally {
      secure.socket.destroy();
    }
  });

  it('the handshake clock starts before Node writes the ClientHello: the window holds the whole exchange', async () => {
    const signal = new AbortController().signal;
    let armed: ReturnType<typeof startTls> | undefined;
    let helloStarted = 0n;
    let atSecure = 0n;
    const { socket } = await connectTcp('127.0.0.1', server.port, signal, 5, (s) => {
      armed = startTls(s, 'localhost', pki.ca.cert);
      // Node's _start() calls the TLS handle's start(): OpenSSL builds the ClientHello and
      // writes it to the TCP socket inside that call. Stamp its entry.
      const handle = (armed.socket as unknown as { _handle: { start(): void } })._handle;
      const start = handle.start;
      handle.start = function (this: unknown): void {
        helloStarted = process.hrtime.bigint();
        start.call(this);
      };
      // Ahead of the probe's own 'secure' stamp.
      armed.socket.prependOnceListener('secure', () => void (atSecure = process.hrtime.bigint()));
    });
    const secure = await finishHandshake(armed!, socket, { servername: 'localhost', options: probeOptions({ tls: { ca: pki.ca.cert } }), signal });
    try {
      expect(helloStarted).toBeGreaterThan(0n);
      // Stamped after start() returned, a thread descheduled in write(2) would report less than the wire.
      expect(secure.seconds).toBeGreaterThanOrEqual(Number(atSecure - helloStarted) / 1e9);
    } finally {
      secure.socket.destroy();
    }
  });

  it('an armed client on a refused connection fails the connect phase, not tls', async () => {
    const port = await refusedPort();
    const result = await httpProbe(httpTarget(new URL(`https://127.0.0.1:${port}/`)), probeOptions(), context());
    expect(result.failure).toMatchObject({ phase: 'connect', reason: 'connect_refused' });
    expect(result.phases).not.toHaveProperty('tls');
  });

  it('the chain is per trust store: the same leaf untrusted, then trusted, then untrusted again', async () => {
    const url = new URL(server.url());
    const untrusted = () => httpProbe(httpTarget(url), probeOptions(), context());
    const first = await untrusted();
    expect(first.failure).toMatchObject({ phase: 'tls', reason: 'tls_untrusted_issuer' });
    expect(first.tls?.chain.map((c) => c.subject)).toEqual(['localhost']);
    const trusted = await httpProbe(httpTarget(url), probeOptions({ tls: { ca: pki.ca.cert } }), context());
    expect(trusted.failure).toBeUndefined();
    expect(trusted.tls?.chain.map((c) => c.subject)).toEqual(['localhost', 'o365-exporter Test CA']);
    expect((await untrusted()).tls?.chain.map((c) => c.subject)).toEqual(['localhost']);
  });

  it('an extra CA that is not a certificate trusts nothing more: tls_untrusted_issuer', async () => {
    const result = await httpProbe(httpTarget(new URL(server.url())), probeOptions({ tls: { ca: 'not a certificate' } }), context());
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_untrusted_issuer' });
  });

  it('connect time starts at the connection attempt: a plain socket still connects and reports it', async () => {
    const { socket, seconds } = await connectTcp('127.0.0.1', server.port, new AbortController().signal, 5);
    expect(seconds).toBeGreaterThan(0);
    expect(socket).toBeInstanceOf(net.Socket);
    socket.destroy();
  });
});
