/**
 * The TLS client start: one SecureContext per trust store reused across probes, a client
 * armed while TCP connects, Node's own check handed the leaf only, and the chain summary
 * converted once per leaf and store.
 */
import type https from 'node:https';
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

  /** Wraps the TLS handle's start() (OpenSSL builds the ClientHello inside) to see when it runs. */
  function spyOnStart(armed: ReturnType<typeof startTls>, tcp: net.Socket): { calls: { connecting: boolean }[] } {
    const spy = { calls: [] as { connecting: boolean }[] };
    const handle = (armed.socket as unknown as { _handle: { start(): void } })._handle;
    const start = handle.start;
    handle.start = function (this: unknown): void {
      spy.calls.push({ connecting: tcp.connecting });
      start.call(this);
    };
    return spy;
  }

  it('the ClientHello is built while TCP connects, and the clock still holds everything from connect to secure', async () => {
    const signal = new AbortController().signal;
    let armed: ReturnType<typeof startTls> | undefined;
    let spy: { calls: { connecting: boolean }[] } | undefined;
    let connected = 0n;
    let atSecure = 0n;
    const { socket } = await connectTcp('127.0.0.1', server.port, signal, 5, (s) => {
      armed = startTls(s, 'localhost', pki.ca.cert);
      spy = spyOnStart(armed, s);
      // After the probe's start stamp, before its end stamp: a window inside the probe's.
      s.once('connect', () => void (connected = process.hrtime.bigint()));
      armed.socket.prependOnceListener('secure', () => void (atSecure = process.hrtime.bigint()));
    });
    const secure = await finishHandshake(armed!, socket, { servername: 'localhost', options: probeOptions({ tls: { ca: pki.ca.cert } }), signal });
    try {
      // Once, before 'connect': Node's own start on 'connect' was taken out (a second start aborts the process).
      expect(spy!.calls).toEqual([{ connecting: true }]);
      expect(secure.details).toMatchObject({ version: 'TLSv1.3', authorized: true });
      expect(connected).toBeGreaterThan(0n);
      expect(secure.seconds).toBeGreaterThanOrEqual(Number(atSecure - connected) / 1e9);
    } finally {
      secure.socket.destroy();
    }
  });

  it("where Node's deferred start is not its own _start (another Node), the client starts on 'connect' as Node does", async () => {
    const signal = new AbortController().signal;
    let armed: ReturnType<typeof startTls> | undefined;
    let spy: { calls: { connecting: boolean }[] } | undefined;
    const { socket } = await connectTcp('127.0.0.1', server.port, signal, 5, (s) => {
      armed = startTls(s, 'localhost', pki.ca.cert);
      const nodeStart = (tls.TLSSocket.prototype as unknown as { _start: () => void })._start;
      // Simulates a Node that defers the start some other way.
      armed.socket.removeListener('connect', nodeStart).once('connect', function (this: tls.TLSSocket) {
        nodeStart.call(this);
      });
      spy = spyOnStart(armed, s);
    });
    const secure = await finishHandshake(armed!, socket, { servername: 'localhost', options: probeOptions({ tls: { ca: pki.ca.cert } }), signal });
    try {
      expect(spy!.calls).toEqual([{ connecting: false }]);
      expect(secure.details).toMatchObject({ version: 'TLSv1.3', authorized: true });
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

  it('offers the TLS 1.3 suites in a browser\'s order: a server that follows the client gets AES-128-GCM; one without it still agrees', async () => {
    const trusted = probeOptions({ tls: { ca: pki.ca.cert } });
    const probe = async (tlsOptions: https.ServerOptions) => {
      const peer = await startHttpsServer(pki.valid, {}, tlsOptions);
      try {
        return await httpProbe(httpTarget(new URL(peer.url())), trusted, context());
      } finally {
        await peer.close();
      }
    };
    // Node's server takes its own order unless told otherwise; nginx follows the client by default.
    expect((await probe({ honorCipherOrder: false })).tls).toMatchObject({ version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256' });
    const only256 = await probe({ honorCipherOrder: false, ciphers: 'TLS_AES_256_GCM_SHA384' });
    expect(only256.failure).toBeUndefined();
    expect(only256.tls?.cipher).toBe('TLS_AES_256_GCM_SHA384');
  });

  it('connect time starts at the connection attempt: a plain socket still connects and reports it', async () => {
    const { socket, seconds } = await connectTcp('127.0.0.1', server.port, new AbortController().signal, 5);
    expect(seconds).toBeGreaterThan(0);
    expect(socket).toBeInstanceOf(net.Socket);
    socket.destroy();
  });
});
