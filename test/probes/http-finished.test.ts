/**
 * The request leaves after the client's TLS Finished, not in the same segment: Node flushes
 * the Finished only when the native read that completed the handshake returns, and a request
 * written from the promise jobs run inside it would share its write. The server would then
 * verify the Finished inside first_byte's window (the bench saw first_byte 0.3-0.5 ms over
 * blackbox_exporter's, whose Go client sends the two apart).
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { context, httpTarget, probeOptions, startHttpsServer, type TestServer } from '../helpers/servers.js';

type Handle = { bytesWritten: number };

describe('http probe over TLS: the Finished goes before the request', () => {
  let pki: Pki;
  let server: TestServer;

  beforeAll(async () => {
    pki = makePki();
    server = await startHttpsServer(pki.valid);
  });

  afterAll(async () => {
    vi.restoreAllMocks();
    await server.close();
    pki.cleanup();
  });

  it('the TCP socket has written more than the ClientHello when the request is written', async () => {
    const seen: { atSecure?: number; atRequest?: number } = {};
    const connect = tls.connect;
    vi.spyOn(tls, 'connect').mockImplementation(((options: tls.ConnectionOptions) => {
      const secure = connect(options);
      const raw = (options.socket as Socket & { _handle: Handle })._handle;
      // The handshake is done, the Finished still waits in Node's buffer.
      secure.prependOnceListener('secure', () => void (seen.atSecure = raw.bytesWritten));
      const write = secure.write;
      secure.write = function (this: tls.TLSSocket, ...args: unknown[]): boolean {
        seen.atRequest ??= raw.bytesWritten;
        return Reflect.apply(write, this, args) as boolean;
      } as typeof secure.write;
      return secure;
    }) as typeof tls.connect);

    const result = await httpProbe(httpTarget(new URL(`https://127.0.0.1:${server.port}/`)), probeOptions({ tls: { ca: pki.ca.cert } }), context());
    expect(result.failure).toBeUndefined();
    expect(seen.atSecure).toBeGreaterThan(0);
    expect(seen.atRequest).toBeGreaterThan(seen.atSecure!);
  });
});
