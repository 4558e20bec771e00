/** ProbeMetrics fed synthetic ProbeResults through a ResultStore, rendered from explicit registries. */
import { Counter, Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { ExporterMetrics } from '../../src/metrics/exporter-metrics.js';
import { PHASE_BUCKETS, ProbeMetrics } from '../../src/metrics/probe-metrics.js';
import { createRegistries, renderMetrics, setConstantLabels, wantsOpenMetrics, type Registries } from '../../src/metrics/registries.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { parseExposition, select, valueOf, type Series } from '../helpers/exposition.js';
import { failedResult, fakeTarget, okResult } from '../helpers/targets.js';

let registries: Registries;
let store: ResultStore;
let metrics: ProbeMetrics;

/** What the scheduler does with a result: the store and the metrics both observe it. */
function feed(target: ScheduledTarget, result: ProbeResult): void {
  store.observe(target, result);
  metrics.observe(target, result);
}
function forget(target: ScheduledTarget): void {
  store.forget(target);
  metrics.forget(target);
}
async function scrape(): Promise<Series[]> {
  return parseExposition((await renderMetrics(registries, false)).body);
}

const exchange = fakeTarget('exchange', { service: 'Exchange', category: 'Optimize' });
const smtp = fakeTarget('smtp', { service: 'Exchange', category: 'Allow' });
const labelsOf = (t: ScheduledTarget) => ({ target: t.name, service: t.service, category: t.category, path: t.path });

const tlsResult = (): ProbeResult =>
  okResult({
    startedAt: 1_700_000_000_000,
    durationSeconds: 0.2,
    address: '52.97.1.1',
    http: { statusCode: 302, httpVersion: '1.1', headers: {}, bodyBytes: 10 },
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      alpn: 'http/1.1',
      authorized: true,
      chain: [
        { subject: 'CN=outlook.com', issuer: 'CN=DigiCert Cloud Services CA-1', notAfter: 1_800_000_000, notBefore: 1_700_000_000, fingerprint256: 'aa' },
        { subject: 'CN=DigiCert Cloud Services CA-1', issuer: 'CN=DigiCert Global Root CA', notAfter: 1_900_000_000, notBefore: 1_600_000_000, fingerprint256: 'bb' },
      ],
    },
    dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames: ['outlook.office365.com', 'outlook.ha.office365.com', 'outlook.ms-acdc.office.com'], addresses: ['52.97.1.1'] },
  });

beforeEach(() => {
  registries = createRegistries({ defaultMetrics: false });
  store = new ResultStore();
  metrics = new ProbeMetrics(registries, store);
});

describe('ProbeMetrics', () => {
  it('has no probe series before any result', async () => {
    store.track(exchange);
    const series = await scrape();
    expect(series.filter((s) => s.name.startsWith('o365_probe'))).toEqual([]);
  });

  it('exposes the last result with target, service, category and path labels', async () => {
    feed(exchange, tlsResult());
    const series = await scrape();
    const labels = labelsOf(exchange);
    expect(labels).toEqual({ target: 'exchange', service: 'Exchange', category: 'Optimize', path: 'direct' });
    expect(valueOf(series, 'o365_probe_success', labels)).toBe(1);
    expect(valueOf(series, 'o365_probe_duration_seconds', labels)).toBe(0.2);
    expect(valueOf(series, 'o365_probe_timestamp_seconds', labels)).toBe(1_700_000_000);
    expect(valueOf(series, 'o365_probes_total', labels)).toBe(1);
    expect(valueOf(series, 'o365_http_status_code', labels)).toBe(302);
    expect(valueOf(series, 'o365_tls_cert_expiry_timestamp_seconds', labels)).toBe(1_800_000_000);
    expect(valueOf(series, 'o365_tls_info', { ...labels, version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', issuer: 'CN=DigiCert Cloud Services CA-1' })).toBe(1);
    expect(valueOf(series, 'o365_dns_answer_info', { ...labels, cname_tail: 'outlook.ms-acdc.office.com' })).toBe(1);
    expect(select(series, 'o365_probe_failures_total')).toEqual([]);
  });

  it('has a phase gauge only for the phases measured', async () => {
    feed(smtp, failedResult('connect', 'connect_refused', { dns: 0.003, connect: 0.001 }));
    const series = await scrape();
    const phases = select(series, 'o365_probe_phase_seconds', labelsOf(smtp)).map((s) => [s.labels.phase, s.value]);
    expect(phases).toEqual([
      ['dns', 0.003],
      ['connect', 0.001],
    ]);
    expect(valueOf(series, 'o365_probe_success', labelsOf(smtp))).toBe(0);
    // Nothing about TLS or HTTP: not reached.
    expect(select(series, 'o365_http_status_code')).toEqual([]);
    expect(select(series, 'o365_tls_info')).toEqual([]);
  });

  it('counts probes, and failures by phase and reason', async () => {
    feed(smtp, failedResult('connect', 'connect_refused', { dns: 0.003 }));
    feed(smtp, failedResult('connect', 'connect_refused', { dns: 0.003 }));
    feed(smtp, failedResult('dns', 'dns_nxdomain', { dns: 0.01 }));
    feed(smtp, okResult());
    const series = await scrape();
    const labels = labelsOf(smtp);
    expect(valueOf(series, 'o365_probes_total', labels)).toBe(4);
    expect(valueOf(series, 'o365_probe_failures_total', { ...labels, phase: 'connect', reason: 'connect_refused' })).toBe(2);
    expect(valueOf(series, 'o365_probe_failures_total', { ...labels, phase: 'dns', reason: 'dns_nxdomain' })).toBe(1);
    expect(select(series, 'o365_probe_failures_total')).toHaveLength(2);
    expect(valueOf(series, 'o365_probe_success', labels)).toBe(1);
  });

  it('fills the phase histogram (no target label) with WAN-latency buckets from 1 ms to 10 s', async () => {
    expect(PHASE_BUCKETS[0]).toBe(0.001);
    expect(PHASE_BUCKETS.at(-1)).toBe(10);
    for (const seconds of [0.004, 0.02, 0.4]) feed(exchange, okResult({ phases: { connect: seconds } }));
    // Another target of the same service, category and path lands in the same series.
    const outlook = fakeTarget('outlook', { service: 'Exchange', category: 'Optimize' });
    for (const seconds of [0.02, 12]) feed(outlook, okResult({ phases: { connect: seconds } }));
    const series = await scrape();
    const connect = { service: 'Exchange', category: 'Optimize', path: 'direct', phase: 'connect' };
    expect(select(series, 'o365_probe_phase_duration_seconds_count').every((s) => s.labels.target === undefined)).toBe(true);
    const bucket = (le: string) => valueOf(series, 'o365_probe_phase_duration_seconds_bucket', { ...connect, le });
    expect(bucket('0.001')).toBe(0);
    expect(bucket('0.005')).toBe(1);
    expect(bucket('0.02')).toBe(3);
    expect(bucket('0.5')).toBe(4);
    expect(bucket('10')).toBe(4);
    expect(bucket('+Inf')).toBe(5);
    expect(valueOf(series, 'o365_probe_phase_duration_seconds_count', connect)).toBe(5);
    expect(valueOf(series, 'o365_probe_phase_duration_seconds_sum', connect)).toBeCloseTo(12.444, 9);
    expect(select(series, 'o365_probe_phase_duration_seconds_bucket', connect)).toHaveLength(PHASE_BUCKETS.length + 1);
  });

  it('drops every series of a forgotten target (counters, gauges, histogram sets no one else feeds) and keeps the others', async () => {
    feed(exchange, tlsResult());
    feed(exchange, failedResult('tls', 'tls_cert_expired', { dns: 0.002, connect: 0.01, tls: 0.02 }));
    feed(smtp, failedResult('connect', 'connect_refused', { dns: 0.003, connect: 0.001 }));
    forget(exchange);
    const series = await scrape();
    const left = new Set(series.filter((s) => s.name.startsWith('o365_') && s.labels.target !== undefined).map((s) => s.labels.target));
    expect(left).toEqual(new Set(['smtp']));
    for (const name of ['o365_probes_total', 'o365_probe_failures_total', 'o365_probe_success', 'o365_probe_phase_seconds']) {
      expect(select(series, name, { target: 'smtp' }).length, name).toBeGreaterThan(0);
    }
    // exchange alone fed Exchange/Optimize; smtp still feeds Exchange/Allow.
    expect(select(series, 'o365_probe_phase_duration_seconds_count', { category: 'Optimize' })).toEqual([]);
    expect(select(series, 'o365_probe_phase_duration_seconds_count', { category: 'Allow' }).length).toBeGreaterThan(0);
    // A target coming back starts from zero.
    feed(exchange, tlsResult());
    expect(valueOf(await scrape(), 'o365_probes_total', labelsOf(exchange))).toBe(1);
  });

  it('adds the constant labels from config `labels:` to every series', async () => {
    setConstantLabels(registries, { site: 'hq', region: 'emea' });
    feed(smtp, failedResult('connect', 'connect_refused', { connect: 0.001 }));
    new ExporterMetrics(registries).configLoaded(true);
    const series = await scrape();
    expect(series.length).toBeGreaterThan(10);
    for (const s of series) expect(s.labels, s.name).toMatchObject({ site: 'hq', region: 'emea' });
    const openMetrics = parseExposition((await renderMetrics(registries, true)).body.replace(/^# EOF\n?$/m, ''));
    expect(valueOf(openMetrics, 'o365_probe_success', { ...labelsOf(smtp), site: 'hq' })).toBe(0);
  });
});

describe('OpenMetrics', () => {
  it('renders the same series in OpenMetrics, ending with # EOF', async () => {
    feed(smtp, failedResult('connect', 'connect_refused', { connect: 0.001 }));
    const rendered = await renderMetrics(registries, true);
    const text = rendered.body;
    expect(rendered.contentType).toBe(registries.openMetrics.contentType);
    expect(registries.openMetrics.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
    expect(text).toContain('# TYPE o365_probe_failures counter');
    expect(text).toMatch(/^o365_probe_failures_total\{target="smtp",.*reason="connect_refused"\} 1$/m);
    expect(registries.prometheus.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('rendering OpenMetrics leaves the Prometheus format of counters intact', async () => {
    feed(smtp, failedResult('connect', 'connect_refused', { connect: 0.001 }));
    const first = await renderMetrics(registries, false);
    const [openMetrics, prometheus] = await Promise.all([renderMetrics(registries, true), renderMetrics(registries, false)]);
    expect(openMetrics.body).toContain('# TYPE o365_probes counter');
    expect(prometheus.body).toBe(first.body);
    expect(prometheus.body).toContain('# TYPE o365_probes_total counter');
    expect(valueOf(parseExposition((await renderMetrics(registries, false)).body), 'o365_probes_total', labelsOf(smtp))).toBe(1);
  });

  it('is chosen only when Accept asks for it', () => {
    expect(wantsOpenMetrics('application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1')).toBe(true);
    expect(wantsOpenMetrics('text/plain;version=0.0.4;q=1,*/*;q=0.1')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
  });
});

describe('ExporterMetrics', () => {
  it('reports build info and the config reload outcome', async () => {
    const exporterMetrics = new ExporterMetrics(registries);
    exporterMetrics.configLoaded(true);
    let series = await scrape();
    expect(valueOf(series, 'o365_exporter_config_last_reload_successful')).toBe(1);
    const loadedAt = valueOf(series, 'o365_exporter_config_last_reload_success_timestamp_seconds') ?? 0;
    expect(Math.abs(loadedAt - Date.now() / 1000)).toBeLessThan(60);
    expect(select(series, 'o365_exporter_build_info')[0]?.labels.version).toMatch(/^\d+\.\d+\.\d+/);
    exporterMetrics.configLoaded(false);
    series = await scrape();
    expect(valueOf(series, 'o365_exporter_config_last_reload_successful')).toBe(0);
    expect(valueOf(series, 'o365_exporter_config_last_reload_success_timestamp_seconds')).toBe(loadedAt);
  });

  it('counts missed slots per target name as prom-client did, escaped, in both formats, and forgets them', async () => {
    setConstantLabels(registries, { site: 'h"q' });
    const exporterMetrics = new ExporterMetrics(registries);
    const hostile = 'a"b\\c\nd} x 1';
    const direct = fakeTarget('shared');
    const proxied = fakeTarget('shared', { path: 'corp' });
    for (const t of [direct, proxied, direct, fakeTarget(hostile)]) exporterMetrics.slotMissed(t);
    const reference = new Registry();
    reference.setDefaultLabels({ site: 'h"q' });
    const counter = new Counter({ name: 'o365_exporter_probe_slots_missed_total', help: 'x', labelNames: ['target'], registers: [reference] });
    counter.inc({ target: 'shared' }, 3);
    counter.inc({ target: hostile });
    const missed = (series: Series[]) => select(series, 'o365_exporter_probe_slots_missed_total').map((s) => JSON.stringify([Object.entries(s.labels).sort(), s.value])).sort();
    expect(missed(await scrape())).toEqual(missed(parseExposition(await reference.metrics())));
    const openMetrics = (await renderMetrics(registries, true)).body;
    expect(openMetrics).toContain('# TYPE o365_exporter_probe_slots_missed counter\n');
    expect(openMetrics).toContain('o365_exporter_probe_slots_missed_total{target="shared",site="h\\"q"} 3\n');
    exporterMetrics.forget(proxied);
    expect(select(await scrape(), 'o365_exporter_probe_slots_missed_total').map((s) => s.labels.target)).toEqual([hostile]);
  });
});
