/**
 * End to end: the built exporter as a process with local targets (a healthy HTTPS server
 * trusted via tls.ca_file, a refused TCP port, a name on the test DNS server), scraped every
 * second by a real Prometheus; the series are asserted through Prometheus' query API.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { startExporter, tempDir, type ExporterProcess } from '../helpers/process.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { refusedPort, startHttpsServer, type TestServer } from '../helpers/servers.js';

const tmp = tempDir('o365-e2e-');
let pki: Pki | undefined;
let web: TestServer | undefined;
let dns: TestDnsServer | undefined;
let exporter: ExporterProcess | undefined;
let prometheus: PrometheusServer | undefined;

beforeAll(async () => {
  pki = makePki();
  web = await startHttpsServer(pki.valid, { status: 200, body: 'ok' });
  dns = await startDnsServer({ 'outlook.o365.test': { cname: 'outlook.ha.o365.test' }, 'outlook.ha.o365.test': { a: ['127.0.0.1'] } });
  const caFile = join(tmp.dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  exporter = await startExporter(
    [
      'labels: {site: test}',
      `resolvers: ["127.0.0.1:${dns.resolver.port}"]`,
      'defaults: {interval: 1s, timeout: 2s}',
      'targets:',
      `  - {name: healthy, url: "https://127.0.0.1:${web.port}/", service: Exchange, category: Optimize, tls: {ca_file: "${caFile}"}}`,
      `  - {name: refused, tcp: "127.0.0.1:${await refusedPort()}", service: Exchange, category: Allow}`,
      '  - {name: names, dns: outlook.o365.test, service: Common}',
      '',
    ].join('\n'),
  );
  prometheus = await startPrometheus(
    ['  - job_name: o365', '    scrape_interval: 1s', '    scrape_timeout: 1s', '    static_configs:', `      - targets: ["127.0.0.1:${exporter.port}"]`, ''].join('\n'),
  );
});

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.stop('SIGKILL');
  await web?.close();
  await dns?.close();
  pki?.cleanup();
  tmp.cleanup();
});

describe('exporter scraped by Prometheus', () => {
  it('shows success 1 for the healthy target and 0 for the refused one, with the site label', async () => {
    const samples = await prometheus!.waitFor('o365_probe_success{site="test"}', (s) => s.length >= 3);
    const byTarget = Object.fromEntries(samples.map((s) => [s.metric.target, s.value]));
    expect(byTarget).toEqual({ healthy: 1, refused: 0, names: 1 });
    const healthy = samples.find((s) => s.metric.target === 'healthy')?.metric;
    expect(healthy).toMatchObject({ job: 'o365', site: 'test', service: 'Exchange', category: 'Optimize', path: 'direct' });
  });

  it('has phase histogram buckets (per service, no target label) and counts refused connections as failures', async () => {
    const buckets = await prometheus!.waitFor('o365_probe_phase_duration_seconds_bucket{service="Exchange",category="Optimize",phase="tls"}', (s) => s.length > 0);
    expect(buckets.map((s) => s.metric.le)).toContain('+Inf');
    expect(buckets.every((s) => s.metric.target === undefined && s.metric.site === 'test')).toBe(true);
    const phase = await prometheus!.waitFor('o365_probe_phase_seconds{target="healthy",phase="tls"}', (s) => s.length === 1);
    expect(phase[0]?.value).toBeGreaterThan(0);
    const failures = await prometheus!.waitFor('o365_probe_failures_total{target="refused",reason="connect_refused"}', (s) => (s[0]?.value ?? 0) > 0);
    expect(failures[0]?.metric).toMatchObject({ phase: 'connect', site: 'test' });
    const tls = await prometheus!.waitFor('o365_tls_info{target="healthy"}', (s) => s.length === 1);
    expect(tls[0]?.metric.version).toMatch(/^TLSv1\.[23]$/);
    const dnsInfo = await prometheus!.waitFor('o365_dns_answer_info{target="names"}', (s) => s.length === 1);
    expect(dnsInfo[0]?.metric.cname_tail).toBe('outlook.ha.o365.test');
    // Prometheus scraped the exporter successfully throughout.
    expect((await prometheus!.query('up{job="o365"}'))[0]?.value).toBe(1);
  });

  it('the exporter exits 0 on SIGTERM', async () => {
    const status = await exporter!.stop('SIGTERM', 10_000);
    expect(status).toEqual({ code: 0, signal: null });
  });
});
