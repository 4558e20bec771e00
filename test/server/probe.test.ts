/**
 * /probe (the multi-target pattern) on an in-process Exporter with the real probes, against
 * local peers: an HTTPS server with the test CA and a server that accepts and never answers.
 */
import type { Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import { runProbe } from '../../src/probes/index.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, tempDir } from '../helpers/process.js';
import { startHttpsServer, startSilentServer, type TestServer } from '../helpers/servers.js';

const tmp = tempDir('o365-probe-endpoint-');
let pki: Pki | undefined;
let web: TestServer | undefined;
let silent: TestServer | undefined;
let exporter: Exporter | undefined;
let server: Server | undefined;
let base = '';

beforeAll(async () => {
  pki = makePki();
  web = await startHttpsServer(pki.valid, { status: 200, body: 'hello from the front door' });
  silent = await startSilentServer('https');
  const caFile = join(tmp.dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  const configFile = join(tmp.dir, 'config.yml');
  writeFileSync(
    configFile,
    [
      'defaults: {interval: 1h, timeout: 10s}',
      // 127.0.0.1 on any port (the silent server): a configured host is allowed only on its own port.
      'probe: {max_concurrent: 1, allowed_targets: ["*.office365.com", "127.0.0.1"]}',
      'modules:',
      `  local_https: {prober: https, tls: {ca_file: "${caFile}"}}`,
      '  local_tcp: {prober: tcp, timeout: 2s}',
      'targets:',
      `  - {name: web, url: "https://127.0.0.1:${web.port}/", tls: {ca_file: "${caFile}"}}`,
      '',
    ].join('\n'),
  );
  exporter = await Exporter.start({ configFile });
  const bound = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0);
  server = bound.server;
  base = `http://127.0.0.1:${bound.port}`;
});

afterAll(async () => {
  await exporter?.stop();
  if (server) await close(server);
  await web?.close();
  await silent?.close();
  pki?.cleanup();
  tmp.cleanup();
});

async function probe(query: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}/probe?${query}`, { headers });
  return { status: res.status, text: await res.text() };
}

describe('/probe: bad requests', () => {
  it('400 without a target', async () => {
    expect(await probe('module=https')).toEqual({ status: 400, text: 'missing "target" parameter\n' });
  });

  it('400 for an unknown module, listing the known ones', async () => {
    const res = await probe('target=outlook.office365.com&module=icmp');
    expect(res.status).toBe(400);
    expect(res.text).toBe('unknown module "icmp" (known: https, http, tcp, dns, local_https, local_tcp)\n');
    for (const name of ['__proto__', 'constructor', 'toString']) {
      expect(await probe(`target=outlook.office365.com&module=${name}`)).toEqual({ status: 400, text: expect.stringMatching(new RegExp(`^unknown module "${name}"`)) });
    }
  });

  it('400 for a malformed target', async () => {
    expect((await probe('target=outlook.office365.com&module=tcp')).text).toBe('target: "outlook.office365.com" needs a port (host:port)\n');
    expect((await probe(`target=${encodeURIComponent('https://user:pw@outlook.office365.com/')}`)).text).toBe('target: credentials in the URL are not accepted\n');
  });

  it('403 for a host outside probe.allowed_targets, with the reason', async () => {
    for (const target of ['10.1.2.3', 'https://evil.example/', 'office.com.evil.example']) {
      const res = await probe(`target=${encodeURIComponent(target)}&module=https`);
      expect(res.status, target).toBe(403);
      expect(res.text).toMatch(/^target host ".*" is not in probe\.allowed_targets nor a configured target\n$/);
    }
    expect((await probe('target=127.0.0.2:443&module=tcp')).status).toBe(403);
  });
});

describe('/probe: running a probe', () => {
  it('a configured target by name runs with its own settings and answers blackbox metric names', async () => {
    const res = await probe('target=web');
    expect(res.status).toBe(200);
    const series = parseExposition(res.text);
    expect(valueOf(series, 'probe_success')).toBe(1);
    expect(valueOf(series, 'probe_http_status_code')).toBe(200);
    expect(valueOf(series, 'probe_http_ssl')).toBe(1);
    expect(valueOf(series, 'probe_ip_protocol')).toBe(4);
    expect(valueOf(series, 'probe_tls_version_info', { version: 'TLSv1.3' })).toBe(1);
    expect(valueOf(series, 'probe_ssl_earliest_cert_expiry')).toBeGreaterThan(Date.now() / 1000);
    const phases = Object.fromEntries(select(series, 'probe_http_duration_seconds').map((s) => [s.labels.phase, s.value]));
    expect(Object.keys(phases).sort()).toEqual(['connect', 'processing', 'resolve', 'tls', 'transfer']);
    for (const phase of ['connect', 'tls', 'processing']) expect(phases[phase], phase).toBeGreaterThan(0);
    expect(valueOf(series, 'probe_duration_seconds')).toBeGreaterThanOrEqual((phases.connect ?? 0) + (phases.tls ?? 0));
  });

  it('a configured host is allowed with any module; without the CA the chain is untrusted', async () => {
    const series = parseExposition((await probe(`target=${encodeURIComponent(`https://127.0.0.1:${web?.port}/`)}&module=https`)).text);
    expect(valueOf(series, 'probe_success')).toBe(0);
    expect(valueOf(series, 'probe_failure_info', { phase: 'tls', reason: 'tls_untrusted_issuer' })).toBe(1);
  });

  it("a module's tls.ca_file is used", async () => {
    const series = parseExposition((await probe(`target=${encodeURIComponent(`https://127.0.0.1:${web?.port}/`)}&module=local_https`)).text);
    expect(valueOf(series, 'probe_success')).toBe(1);
  });

  it('a tcp module reaches a configured host:port', async () => {
    const series = parseExposition((await probe(`target=127.0.0.1:${web?.port}&module=local_tcp`)).text);
    expect(valueOf(series, 'probe_success')).toBe(1);
    expect(select(series, 'probe_http_status_code')).toEqual([]);
  });
});

describe('/probe: time and concurrency limits', () => {
  it('honours X-Prometheus-Scrape-Timeout-Seconds: a never-answering server fails well within the module timeout', async () => {
    const target = encodeURIComponent(`https://127.0.0.1:${silent?.port}/`);
    const started = process.hrtime.bigint();
    // The silent server is on 127.0.0.1, in probe.allowed_targets.
    const res = await probe(`target=${target}&module=local_https`, { 'X-Prometheus-Scrape-Timeout-Seconds': '1.5' });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(res.status).toBe(200);
    const series = parseExposition(res.text);
    expect(valueOf(series, 'probe_success')).toBe(0);
    expect(select(series, 'probe_failure_info')[0]?.labels).toEqual({ phase: 'tls', reason: 'tls_timeout' });
    // 1.5 s minus the 0.5 s offset: the probe gave up after about 1 s, not the 10 s of the config.
    expect(valueOf(series, 'probe_duration_seconds')).toBeGreaterThanOrEqual(0.9);
    const moduleTimeoutSeconds = 10;
    expect(seconds / moduleTimeoutSeconds).toBeLessThan(0.5);
  });

  it('answers 429 beyond probe.max_concurrent', async () => {
    const target = encodeURIComponent(`https://127.0.0.1:${silent?.port}/`);
    const accepted = silent?.connections() ?? 0;
    const first = probe(`target=${target}&module=local_https`, { 'X-Prometheus-Scrape-Timeout-Seconds': '2.5' });
    await poll('the first probe connected', () => ((silent?.connections() ?? 0) > accepted ? true : undefined));
    const second = await probe('target=web');
    expect(second.status).toBe(429);
    expect(second.text).toBe('too many on-demand probes at once (probe.max_concurrent=1)\n');
    expect((await first).status).toBe(200);
    expect((await probe('target=web')).status).toBe(200);
  });
});
