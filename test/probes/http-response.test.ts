/**
 * The response side of the HTTP probe (ResponseReader, an undici dispatch handler): heads
 * after 1xx informational ones, bodies counted chunk by chunk, an abort or a cut in the
 * middle of the body, against local plain-HTTP peers written byte by byte.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import type { TestServer } from '../helpers/servers.js';
import { context, httpTarget, openNetworkHandles, probeOptions, settleHandles, startHttpServer } from '../helpers/servers.js';

/** Resolves when undici next receives a response head (its 'undici:request:headers' channel). */
function nextResponseHead(): Promise<void> {
  return new Promise((resolve) => {
    const onHead = (): void => {
      diagnosticsChannel.unsubscribe('undici:request:headers', onHead);
      resolve();
    };
    diagnosticsChannel.subscribe('undici:request:headers', onHead);
  });
}

describe('http probe: reading the response', () => {
  let baseline: number;
  const servers: TestServer[] = [];
  const held: Socket[] = [];

  beforeAll(() => {
    baseline = openNetworkHandles();
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await Promise.all(servers.map((s) => s.close()));
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  /** A peer that answers every request with `raw` written to the socket as is (then, unless `hold`, ends). */
  async function raw(chunks: string[], hold = false): Promise<TestServer> {
    const server = await startHttpServer((req) => {
      req.resume();
      for (const chunk of chunks) req.socket.write(chunk);
      if (hold) held.push(req.socket);
      else req.socket.end();
    });
    servers.push(server);
    return server;
  }

  it('skips 1xx informational heads: the final status and headers are the ones kept', async () => {
    const server = await raw([
      'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX-FEServer: AM0PR01\r\nContent-Length: 5\r\n\r\nhello',
    ]);
    const result = await httpProbe(httpTarget(server.url()), probeOptions(), context());
    expect(result.failure).toBeUndefined();
    expect(result.http).toMatchObject({ statusCode: 200, bodyBytes: 5, headers: { 'x-feserver': 'AM0PR01', 'content-length': '5' } });
    expect(result.http?.headers.link).toBeUndefined();
  });

  it('counts a chunked body across chunks', async () => {
    const body = ['a'.repeat(1000), 'b'.repeat(3000), 'c'];
    const chunked = body.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('');
    const server = await raw([`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n`, chunked, '0\r\n\r\n']);
    const result = await httpProbe(httpTarget(server.url()), probeOptions(), context());
    expect(result.success).toBe(true);
    expect(result.http?.bodyBytes).toBe(4001);
    expect(result.phases.transfer).toBeGreaterThanOrEqual(0);
  });

  it('a body cut short -> transfer fails, with the bytes that did arrive', async () => {
    const server = await raw(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'x'.repeat(10)]);
    const result = await httpProbe(httpTarget(server.url()), probeOptions(), context());
    expect(result.success).toBe(false);
    expect(result.failure?.phase).toBe('transfer');
    expect(result.http).toMatchObject({ statusCode: 200, bodyBytes: 10 });
    expect(result.phases.first_byte).toBeGreaterThan(0);
  });

  it('abort in the middle of the body -> transfer, aborted', async () => {
    const server = await raw(['HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n', 'x'.repeat(10)], true);
    const controller = new AbortController();
    const headReceived = nextResponseHead();
    const running = httpProbe(httpTarget(server.url()), probeOptions(), context(controller.signal));
    await headReceived;
    // undici publishes before handing the head to the probe; the probe takes it in microtasks.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const result = await running;
    expect(result.failure).toMatchObject({ phase: 'transfer', reason: 'aborted' });
    expect(result.http?.statusCode).toBe(200);
  });
});
