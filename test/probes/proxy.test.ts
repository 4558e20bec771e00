import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import { connectRequest, parseStatusLine, proxyEndpoint, scanHead } from '../../src/probes/proxy.js';
import type { ProbeOptions } from '../../src/probes/target.js';
import { tcpProbe } from '../../src/probes/tcp.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { makePki, type Pki } from '../helpers/pki.js';
import {
  context,
  httpTarget,
  openNetworkHandles,
  probeOptions,
  refusedPort,
  settleHandles,
  startHttpServer,
  startHttpsServer,
  type TestServer,
} from '../helpers/servers.js';

const CREDENTIALS = { username: 'probe', password: 'p@ss:w rd' };

describe('proxy CONNECT parsing', () => {
  it('proxy URL: host, default port 80, Basic credentials decoded from the URL', () => {
    expect(proxyEndpoint(new URL('http://proxy.corp.example:3128'))).toEqual({ host: 'proxy.corp.example', port: 3128 });
    expect(proxyEndpoint(new URL('http://[2001:db8::1]/'))).toEqual({ host: '2001:db8::1', port: 80 });
    const url = new URL('http://127.0.0.1:8080');
    url.username = encodeURIComponent(CREDENTIALS.username);
    url.password = encodeURIComponent(CREDENTIALS.password);
    const auth = proxyEndpoint(url).authorization ?? '';
    expect(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8')).toBe('probe:p@ss:w rd');
  });

  it('CONNECT request: authority form, brackets for IPv6, no header smuggling', () => {
    expect(connectRequest('outlook.office365.com', 443)).toMatch(/^CONNECT outlook\.office365\.com:443 HTTP\/1\.1\r\nHost: outlook\.office365\.com:443\r\n.*\r\n\r\n$/s);
    expect(connectRequest('2603:1063::1', 443)).toMatch(/^CONNECT \[2603:1063::1\]:443 HTTP\/1\.1\r\n/);
    expect(connectRequest('a', 1, 'Basic eA==')).toContain('\r\nProxy-Authorization: Basic eA==\r\n');
    expect(() => connectRequest('evil\r\nX-Injected: 1', 443)).toThrow(/invalid host/);
  });

  it('status lines and answer heads', () => {
    expect(parseStatusLine('HTTP/1.1 200 Connection established')).toBe(200);
    expect(parseStatusLine('HTTP/1.0 407')).toBe(407);
    expect(parseStatusLine('HTTP/2 200')).toBeUndefined();
    expect(parseStatusLine('HTTP/1.1 2000 x')).toBeUndefined();
    const head = (text: string) => scanHead(Buffer.from(text, 'latin1'), 64);
    expect(head('HTTP/1.1 200 OK\r\n')).toBeUndefined();
    expect(head('HT')).toBeUndefined();
    expect(head('HTTP/1.1 200 OK\r\n\r\nTLS')).toEqual({ statusCode: 200, headBytes: 19 });
    expect(head('HTTP/1.1 200 OK\n\n')).toEqual({ statusCode: 200, headBytes: 17 });
    expect(head('SSH-2.0-OpenSSH')).toEqual({ error: expect.stringMatching(/other than HTTP/) });
    expect(head('HTTP/1.1 abc\r\n\r\n')).toEqual({ error: expect.stringMatching(/invalid status line/) });
    expect(head(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(100)}`)).toEqual({ error: expect.stringMatching(/larger than 64 bytes/) });
  });
});

describe('probes through a real CONNECT proxy', () => {
  let pki: Pki;
  let baseline: number;
  let origin: TestServer;
  let plain: TestServer;
  let proxy: ConnectProxy;
  let authProxy: ConnectProxy;
  let dns: TestDnsServer;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    pki = makePki();
    origin = await startHttpsServer(pki.valid, { status: 200, body: 'x'.repeat(1000) });
    plain = await startHttpServer({ status: 204, body: '' });
    // Only the proxy knows origin.test: a dns phase for it on our side would fail.
    proxy = await startConnectProxy({ hosts: { localhost: '127.0.0.1', 'origin.test': '127.0.0.1' } });
    authProxy = await startConnectProxy({ auth: CREDENTIALS, hosts: { localhost: '127.0.0.1' } });
    dns = await startDnsServer({ 'proxy.test': { a: ['127.0.0.1'] } });
  });

  afterAll(async () => {
    await Promise.all([origin, plain, proxy, authProxy, dns].map((s) => s?.close()));
    pki?.cleanup();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  const via = (url: URL, o: Partial<ProbeOptions> = {}): ProbeOptions => ({
    ...probeOptions({ tls: { ca: pki.ca.cert } }),
    proxy: { name: 'corp', url },
    ...o,
  });
  const httpsTarget = () => httpTarget(new URL(`https://localhost:${origin.port}/owa/`));

  it('HTTPS through the tunnel: proxy_connect carries the injected 100 ms, TLS and request on the same socket', async () => {
    proxy.behave({ kind: 'tunnel' });
    proxy.setDelay(100);
    const before = proxy.tunnels();
    const acceptedBefore = origin.connections();
    try {
      const result = await httpProbe(httpsTarget(), via(proxy.url()), context());
      expect(result.failure).toBeUndefined();
      expect(result.success).toBe(true);
      expect(Object.keys(result.phases)).toEqual(['connect', 'proxy_connect', 'tls', 'first_byte', 'transfer']);
      expect(result.phases.proxy_connect).toBeGreaterThanOrEqual(0.1);
      // The delay belongs to proxy_connect only.
      expect(result.phases.connect).toBeLessThan(result.phases.proxy_connect ?? 0);
      expect(result.tls?.authorized).toBe(true);
      expect(result.http).toMatchObject({ statusCode: 200, bodyBytes: 1000 });
      expect(result.address).toBe('127.0.0.1');
      expect(result.dns).toBeUndefined();
      expect(proxy.tunnels()).toBe(before + 1);
      expect(origin.connections()).toBe(acceptedBefore + 1);
      expect(proxy.requests.at(-1)).toMatch(new RegExp(`^CONNECT localhost:${origin.port} HTTP/1\\.1\\r\\n`));
    } finally {
      proxy.setDelay(0);
    }
  });

  it('resolves the proxy host (dns phase), never the target: plain HTTP through CONNECT', async () => {
    proxy.behave({ kind: 'tunnel' });
    dns.queries.length = 0;
    const url = new URL(`http://proxy.test:${proxy.port}`);
    const result = await httpProbe(httpTarget(new URL(`http://origin.test:${plain.port}/x`)), via(url, { resolvers: [dns.resolver] }), context());
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.phases)).toEqual(['dns', 'connect', 'proxy_connect', 'first_byte', 'transfer']);
    expect(result.phases.dns).toBeGreaterThan(0);
    expect(result.http?.statusCode).toBe(204);
    expect(result.tls).toBeUndefined();
    expect(dns.queries.map((q) => q.name)).toEqual(['proxy.test']);
    expect(proxy.requests.at(-1)).toMatch(new RegExp(`^CONNECT origin\\.test:${plain.port} `));
  });

  it('TCP target through the proxy: a tunnel is the success', async () => {
    proxy.behave({ kind: 'tunnel' });
    const before = proxy.tunnels();
    const result = await tcpProbe({ name: 't', spec: { kind: 'tcp', host: 'localhost', port: origin.port } }, via(proxy.url()), context());
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.phases)).toEqual(['connect', 'proxy_connect']);
    expect(proxy.tunnels()).toBe(before + 1);
  });

  it('407 without or with wrong credentials: proxy_auth_required, timed, no secret in the message', async () => {
    for (const url of [authProxy.url(), authProxy.url({ username: 'probe', password: 'wrong' })]) {
      const result = await httpProbe(httpsTarget(), via(url), context());
      expect(result.failure).toMatchObject({ phase: 'proxy_connect', reason: 'proxy_auth_required' });
      expect(result.phases.proxy_connect).toBeGreaterThan(0);
      expect(result.phases.tls).toBeUndefined();
      expect(result.failure?.message).not.toMatch(/wrong|Basic|cHJvYm/);
    }
    expect(authProxy.tunnels()).toBe(0);
  });

  it('right credentials (percent-encoded in the URL) open the tunnel', async () => {
    const result = await httpProbe(httpsTarget(), via(authProxy.url(CREDENTIALS)), context());
    expect(result.failure).toBeUndefined();
    expect(authProxy.tunnels()).toBe(1);
    const sent = Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString('base64');
    expect(authProxy.requests.at(-1)).toContain(`\r\nProxy-Authorization: Basic ${sent}`);
    expect(JSON.stringify(result)).not.toContain(sent);
  });

  it('target refused behind the proxy: 502 from the proxy is proxy_refused', async () => {
    proxy.behave({ kind: 'tunnel' });
    const port = await refusedPort();
    const result = await httpProbe(httpTarget(new URL(`https://localhost:${port}/`)), via(proxy.url()), context());
    expect(result.failure).toMatchObject({ phase: 'proxy_connect', reason: 'proxy_refused' });
    expect(result.failure?.message).toMatch(/answered 502/);
  });

  it.each([
    ['403 from the proxy', { kind: 'status', status: 403 }, /answered 403/],
    ['a 1xx instead of an answer', { kind: 'raw', bytes: 'HTTP/1.1 100 Continue\r\n\r\n' }, /answered 100/],
    ['garbage', { kind: 'raw', bytes: 'SSH-2.0-OpenSSH_9.2\r\n' }, /other than HTTP/],
    ['binary garbage', { kind: 'raw', bytes: Buffer.from([0x16, 0x03, 0x01, 0x00, 0x00, 0xff]) }, /other than HTTP/],
    ['a huge head', { kind: 'raw', bytes: `HTTP/1.1 200 OK\r\nX-Pad: ${'a'.repeat(40_000)}\r\n` }, /larger than/],
    ['a close without answer', { kind: 'close' }, /closed the connection/],
  ] as const)('%s: proxy_refused', async (_name, behaviour, message) => {
    proxy.behave(behaviour);
    const result = await httpProbe(httpsTarget(), via(proxy.url()), context());
    expect(result.failure).toMatchObject({ phase: 'proxy_connect', reason: 'proxy_refused' });
    expect(result.failure?.message).toMatch(message);
  });

  it('a proxy that never answers CONNECT: timeout in proxy_connect', async () => {
    proxy.behave({ kind: 'silent' });
    const result = await httpProbe(httpsTarget(), via(proxy.url(), { timeoutSeconds: 0.3 }), context());
    expect(result.failure).toMatchObject({ phase: 'proxy_connect', reason: 'connect_timeout' });
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0.3);
    expect(result.phases.proxy_connect).toBeUndefined();
  });

  it('proxy not listening: connect_refused in the connect phase', async () => {
    const port = await refusedPort();
    const result = await httpProbe(httpsTarget(), via(new URL(`http://127.0.0.1:${port}`)), context());
    expect(result.failure).toMatchObject({ phase: 'connect', reason: 'connect_refused' });
  });
});
