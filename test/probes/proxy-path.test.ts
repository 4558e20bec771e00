/**
 * The proxy penalty end to end: a running exporter probes the same target directly and
 * through a real CONNECT proxy that adds 100 ms, and /metrics shows both paths apart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessExporter, type InProcessExporter } from '../helpers/in-process-exporter.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll } from '../helpers/process.js';
import { startHttpsServer, type TestServer } from '../helpers/servers.js';

describe('proxy penalty through the running exporter', () => {
  let pki: Pki;
  let origin: TestServer;
  let proxy: ConnectProxy;
  let running: InProcessExporter | undefined;
  let base: string;
  let tmp: string;

  beforeAll(async () => {
    pki = makePki();
    origin = await startHttpsServer(pki.valid, { status: 200 });
    proxy = await startConnectProxy({ delayMs: 100 });
    tmp = mkdtempSync(join(tmpdir(), 'o365-proxy-path-'));
    writeFileSync(join(tmp, 'ca.pem'), pki.ca.cert);
    writeFileSync(
      join(tmp, 'config.yml'),
      `proxies: [{name: corp, url: "${proxy.url().href}"}]
defaults: {interval: 1h, timeout: 5s, via: [direct, corp]}
targets:
  - {name: exchange, url: "https://127.0.0.1:${origin.port}/owa/", service: Exchange, category: Optimize, tls: {ca_file: "${join(tmp, 'ca.pem')}"}}
  - {name: smtp, tcp: "127.0.0.1:${origin.port}", service: Exchange, via: [corp]}
`,
    );
    running = await startInProcessExporter(join(tmp, 'config.yml'));
    base = running.base;
  });

  afterAll(async () => {
    await running?.stop();
    await Promise.all([origin?.close(), proxy?.close()]);
    pki?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('both paths of a target have their own series; the proxy path carries the CONNECT time', async () => {
    const series = await poll('a scrape with both paths probed', async () => {
      const parsed = parseExposition(await (await fetch(`${base}/metrics`)).text());
      const probed = ['direct', 'corp'].every((path) => valueOf(parsed, 'o365_probe_success', { target: 'exchange', path }) !== undefined);
      return probed && valueOf(parsed, 'o365_probe_success', { target: 'smtp', path: 'corp' }) !== undefined ? parsed : undefined;
    });
    const exchange = (path: string, phase: string) => valueOf(series, 'o365_probe_phase_seconds', { target: 'exchange', path, phase });
    expect(valueOf(series, 'o365_probe_success', { target: 'exchange', path: 'direct' })).toBe(1);
    expect(valueOf(series, 'o365_probe_success', { target: 'exchange', path: 'corp' })).toBe(1);
    expect(exchange('corp', 'proxy_connect')).toBeGreaterThanOrEqual(0.1);
    expect(exchange('direct', 'proxy_connect')).toBeUndefined();
    for (const phase of ['connect', 'tls', 'first_byte']) {
      expect(exchange('direct', phase), `direct ${phase}`).toBeGreaterThan(0);
      expect(exchange('corp', phase), `corp ${phase}`).toBeGreaterThan(0);
    }
    expect(valueOf(series, 'o365_probe_duration_seconds', { target: 'exchange', path: 'corp' })).toBeGreaterThanOrEqual(0.1);
    // via: [corp] only: no direct series for smtp.
    expect(valueOf(series, 'o365_probe_success', { target: 'smtp', path: 'corp' })).toBe(1);
    expect(valueOf(series, 'o365_probe_success', { target: 'smtp', path: 'direct' })).toBeUndefined();
    expect(valueOf(series, 'o365_probe_phase_seconds', { target: 'smtp', path: 'corp', phase: 'proxy_connect' })).toBeGreaterThanOrEqual(0.1);
    expect(proxy.tunnels()).toBe(2);
  });
});
