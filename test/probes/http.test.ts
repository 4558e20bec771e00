import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { Pki } from '../helpers/pki.js';
import { makePki } from '../helpers/pki.js';
import type { CannedResponse, Responder, TestServer } from '../helpers/servers.js';
import {
  context,
  httpTarget,
  openNetworkHandles,
  probeOptions,
  refusedPort,
  settleHandles,
  startHttpServer,
  startHttpsServer,
  startDnsServer,
  startResetServer,
  startSilentServer,
} from '../helpers/servers.js';

const FRONT_DOOR_HEADERS = { 'x-feserver': 'AM0PR01CA0001', 'X-MSEdge-Ref': 'Ref A: 1 Ref B: LON21EDGE0107 Ref C: 2024' };

describe('http probe', () => {
  let pki: Pki;
  let baseline: number;
  const servers: TestServer[] = [];
  let lastRequest: IncomingMessage | undefined;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    pki = makePki();
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    pki.cleanup();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  async function https(responder: Responder = {}): Promise<TestServer> {
    const server = await startHttpsServer(pki.valid, responder);
    servers.push(server);
    return server;
  }

  /** A canned responder that also remembers the request, to check what the probe sent. */
  function recording(canned: CannedResponse): Responder {
    const { status = 200, headers = {}, body = 'ok', delayMs = 0 } = canned;
    return (req, res) => {
      lastRequest = req;
      req.resume().on('end', () => {
        const timer = setTimeout(() => res.writeHead(status, headers).end(body), delayMs);
        res.on('close', () => clearTimeout(timer));
      });
    };
  }

  const options = (o: Parameters<typeof probeOptions>[0] = {}) => probeOptions({ ...o, tls: { ca: pki.ca.cert, ...o.tls } });
  const probe = (server: TestServer, o: Parameters<typeof probeOptions>[0] = {}, path = '/'): Promise<ProbeResult> =>
    httpProbe(httpTarget(server.url(path)), options(o), context());

  it('HTTPS 200: five phases, status, headers and body recorded', async () => {
    const server = await https(recording({ headers: FRONT_DOOR_HEADERS, body: 'x'.repeat(5000) }));
    const result = await probe(server, {}, '/owa/?x=1');
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    const { phases } = result;
    expect(Object.keys(phases)).toEqual(['connect', 'tls', 'first_byte', 'transfer']);
    for (const phase of ['connect', 'tls', 'first_byte', 'transfer'] as const) expect(phases[phase]).toBeGreaterThan(0);
    const sum = (phases.connect ?? 0) + (phases.tls ?? 0) + (phases.first_byte ?? 0) + (phases.transfer ?? 0);
    expect(result.durationSeconds).toBeGreaterThanOrEqual(sum);
    expect(result.address).toBe('127.0.0.1');
    expect(result.http).toMatchObject({ statusCode: 200, httpVersion: '1.1', bodyBytes: 5000 });
    expect(result.http?.headers).toMatchObject({ 'x-feserver': 'AM0PR01CA0001', 'x-msedge-ref': FRONT_DOOR_HEADERS['X-MSEdge-Ref'] });
    expect(lastRequest?.url).toBe('/owa/?x=1');
    expect(lastRequest?.headers['user-agent']).toMatch(/^o365-exporter\/\d+\.\d+\.\d+/);
    expect(lastRequest?.headers.host).toBe(`127.0.0.1:${server.port}`);
  });

  it('HTTPS by name through a resolver: all five phases, in waterfall order', async () => {
    const dns = await startDnsServer({ localhost: '127.0.0.1' });
    servers.push(dns);
    const server = await https({ headers: FRONT_DOOR_HEADERS });
    const url = new URL(`https://localhost:${server.port}/`);
    const withResolver = { ...options(), resolvers: [{ host: '127.0.0.1', port: dns.port }] };
    const result = await httpProbe(httpTarget(url), withResolver, context());
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.phases)).toEqual(['dns', 'connect', 'tls', 'first_byte', 'transfer']);
    for (const seconds of Object.values(result.phases)) expect(seconds).toBeGreaterThan(0);
    expect(result.dns?.addresses).toEqual(['127.0.0.1']);
    expect(result.address).toBe('127.0.0.1');
    expect(result.http?.statusCode).toBe(200);
  });

  it('sends spec.headers, overriding defaults, and never follows redirects', async () => {
    const server = await https(recording({ status: 302, headers: { location: '/elsewhere' } }));
    const target = httpTarget(server.url(), { headers: { 'X-Test': 'yes', 'User-Agent': 'custom' } });
    const result = await httpProbe(target, options(), context());
    expect(result.success).toBe(true);
    expect(result.http?.statusCode).toBe(302);
    expect(lastRequest?.headers['x-test']).toBe('yes');
    expect(lastRequest?.headers['user-agent']).toBe('custom');
    expect(server.connections()).toBe(1);
  });

  it('truncates header values and keeps at most 64 headers', async () => {
    const headers: Record<string, string> = { 'x-long': 'v'.repeat(1000) };
    for (let i = 0; i < 80; i++) headers[`x-h${i}`] = String(i);
    const result = await probe(await https({ headers }));
    expect(result.http?.headers['x-long']).toHaveLength(256);
    expect(Object.keys(result.http?.headers ?? {})).toHaveLength(64);
  });

  it('401 counts as success (the front door answered)', async () => {
    const result = await probe(await https({ status: 401 }));
    expect(result.success).toBe(true);
    expect(result.http?.statusCode).toBe(401);
  });

  it('407 -> proxy_auth_required', async () => {
    const result = await probe(await https({ status: 407 }));
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'proxy_auth_required' });
    expect(result.http?.statusCode).toBe(407);
    expect(result.phases.first_byte).toBeGreaterThan(0);
  });

  it('500 -> http_invalid_status', async () => {
    const result = await probe(await https({ status: 500 }));
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_invalid_status' });
  });

  it('validStatusCodes overrides the default rule both ways', async () => {
    const server = await https({ status: 500 });
    const accept500 = await httpProbe(httpTarget(server.url(), { validStatusCodes: [500] }), options(), context());
    expect(accept500.success).toBe(true);
    const ok = await https({ status: 200 });
    const only204 = await httpProbe(httpTarget(ok.url(), { validStatusCodes: [204] }), options(), context());
    expect(only204.failure?.reason).toBe('http_invalid_status');
  });

  it('HEAD requests read no body', async () => {
    const result = await httpProbe(httpTarget((await https()).url(), { method: 'HEAD' }), options(), context());
    expect(result.success).toBe(true);
    expect(result.http?.bodyBytes).toBe(0);
  });

  it('timing honesty: a 150 ms server delay shows in first_byte, not in connect', async () => {
    const result = await probe(await https({ delayMs: 150 }));
    expect(result.success).toBe(true);
    expect(result.phases.first_byte).toBeGreaterThanOrEqual(0.15);
    expect(result.phases.connect).toBeLessThan(0.15);
    expect(result.phases.tls).toBeLessThan(0.15);
  });

  it('server that accepts the request and never answers -> http_timeout', async () => {
    const result = await probe(await https(() => {}), { timeoutSeconds: 0.4 });
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_timeout' });
    expect(result.phases.tls).toBeGreaterThan(0);
    expect(result.phases).not.toHaveProperty('first_byte');
  });

  it('body over maxBodyBytes -> http_body_too_large', async () => {
    const result = await probe(await https({ body: Buffer.alloc(200_000) }), { http: { maxBodyBytes: 10_000 } });
    expect(result.failure).toMatchObject({ phase: 'transfer', reason: 'http_body_too_large' });
    expect(result.http?.bodyBytes).toBeGreaterThan(10_000);
    expect(result.phases.first_byte).toBeGreaterThan(0);
  });

  it('headers over maxHeaderBytes -> http_headers_too_large', async () => {
    const result = await probe(await https({ headers: { 'x-huge': 'h'.repeat(8000) } }), { http: { maxHeaderBytes: 4096 } });
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_headers_too_large' });
  });

  it('plain http:// works without a tls phase', async () => {
    const server = await startHttpServer({ headers: FRONT_DOOR_HEADERS });
    servers.push(server);
    const result = await probe(server);
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.phases)).toEqual(['connect', 'first_byte', 'transfer']);
    expect(result.tls).toBeUndefined();
    expect(result.http?.headers['x-feserver']).toBe('AM0PR01CA0001');
  });

  it('plain http:// never answered -> http_timeout', async () => {
    const server = await startSilentServer('http');
    servers.push(server);
    const result = await probe(server, { timeoutSeconds: 0.3 });
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_timeout' });
  });

  it('reset after the request -> http_connection_closed', async () => {
    const server = await startResetServer('data', 'http');
    servers.push(server);
    const result = await probe(server);
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_connection_closed' });
  });

  it('garbage instead of HTTP -> http_protocol_error', async () => {
    const server = await startHttpServer((req) => req.socket.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    servers.push(server);
    const result = await probe(server);
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'http_protocol_error' });
  });

  it('refused port -> connect_refused', async () => {
    const result = await httpProbe(httpTarget(new URL(`https://127.0.0.1:${await refusedPort()}/`)), options(), context());
    expect(result.failure).toMatchObject({ phase: 'connect', reason: 'connect_refused' });
    expect(result.phases).toEqual({});
  });

  it('abort while waiting for the response -> aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await httpProbe(httpTarget((await https(() => {})).url()), options(), context(controller.signal));
    expect(result.failure).toMatchObject({ phase: 'first_byte', reason: 'aborted' });
    expect(result.durationSeconds).toBeLessThan(4);
  });
});
