/**
 * The hand-rendered per-target families (src/metrics/probe-series.ts) against prom-client's
 * rendering of the same results, escaping of hostile names, exposition structure in both
 * formats (checked line by line and by promtool), removal and relabelling of targets.
 */
import { spawnSync } from 'node:child_process';
import { Counter, Gauge, Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { PROBE_FAMILIES } from '../../src/metrics/probe-families.js';
import { PHASE_BUCKETS, ProbeMetrics } from '../../src/metrics/probe-metrics.js';
import { createRegistries, renderMetrics, renderMetricsBytes, setConstantLabels, type Registries } from '../../src/metrics/registries.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { parseExposition, select, type Series } from '../helpers/exposition.js';
import { failedResult, fakeTarget, okResult } from '../helpers/targets.js';

let registries: Registries;
let store: ResultStore;
let metrics: ProbeMetrics;

function feed(target: ScheduledTarget, result: ProbeResult): void {
  store.observe(target, result);
  metrics.observe(target, result);
}
const render = async (openMetrics = false) => (await renderMetrics(registries, openMetrics)).body;

beforeEach(() => {
  registries = createRegistries({ defaultMetrics: false });
  store = new ResultStore();
  metrics = new ProbeMetrics(registries, store);
});

const tlsResult = (startedAt: number): ProbeResult =>
  okResult({
    startedAt,
    durationSeconds: 0.2,
    http: { statusCode: 302, httpVersion: '1.1', headers: {}, bodyBytes: 10 },
    tls: {
      version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', authorized: true,
      chain: [
        { subject: 'CN=a', issuer: 'CN=Issuer "quoted" \\ back', notAfter: 1_800_000_000, notBefore: 1, fingerprint256: 'aa' },
        { subject: 'CN=b', issuer: 'CN=Root', notAfter: 1_700_000_123, notBefore: 1, fingerprint256: 'bb' },
      ],
    },
    dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames: ['x.example', 'tail.example'], addresses: ['192.0.2.1'] },
  });

/** prom-client filled the way src/metrics/probe-metrics.ts did before the hand renderer. */
function promClientReference(feeds: [ScheduledTarget, ProbeResult][], constant: Record<string, string>): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(constant);
  const T = ['target', 'service', 'category', 'path'];
  const l = (t: ScheduledTarget) => ({ target: t.name, service: t.service, category: t.category, path: t.path });
  const probes = new Counter({ name: 'o365_probes_total', help: 'x', labelNames: T, registers: [registry] });
  const failures = new Counter({ name: 'o365_probe_failures_total', help: 'x', labelNames: [...T, 'phase', 'reason'], registers: [registry] });
  const gauge = (name: string, extra: string[] = []) => new Gauge({ name, help: 'x', labelNames: [...T, ...extra], registers: [registry] });
  const g = {
    success: gauge('o365_probe_success'), duration: gauge('o365_probe_duration_seconds'), ts: gauge('o365_probe_timestamp_seconds'),
    phase: gauge('o365_probe_phase_seconds', ['phase']), http: gauge('o365_http_status_code'), expiry: gauge('o365_tls_cert_expiry_timestamp_seconds'),
    tls: gauge('o365_tls_info', ['version', 'cipher', 'issuer']), dns: gauge('o365_dns_answer_info', ['cname_tail']),
  };
  const last = new Map<string, [ScheduledTarget, ProbeResult]>();
  for (const [t, r] of feeds) {
    probes.inc(l(t));
    if (r.failure) failures.inc({ ...l(t), phase: r.failure.phase, reason: r.failure.reason });
    last.set(t.key, [t, r]);
  }
  for (const [t, r] of last.values()) {
    g.success.set(l(t), r.success ? 1 : 0);
    g.duration.set(l(t), r.durationSeconds);
    g.ts.set(l(t), r.startedAt / 1000);
    for (const [phase, s] of Object.entries(r.phases)) g.phase.set({ ...l(t), phase }, s);
    if (r.http) g.http.set(l(t), r.http.statusCode);
    if (r.tls?.chain.length) g.expiry.set(l(t), Math.min(...r.tls.chain.map((c) => c.notAfter)));
    if (r.tls) g.tls.set({ ...l(t), version: r.tls.version, cipher: r.tls.cipher, issuer: r.tls.chain[0]?.issuer ?? '' }, 1);
    if (r.dns) g.dns.set({ ...l(t), cname_tail: r.dns.cnames.at(-1) ?? '' }, 1);
  }
  return registry;
}

const perTarget = (series: Series[]) =>
  series
    .filter((s) => s.labels.target !== undefined)
    .map((s) => JSON.stringify([s.name, Object.entries(s.labels).sort(), s.value]))
    .sort();

/**
 * Structure both formats share: HELP then TYPE once per family, every sample in the family
 * of the TYPE above it (families contiguous), no blank line in OpenMetrics, `# EOF` once, last.
 */
function checkStructure(text: string, openMetrics: boolean): void {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  if (openMetrics) expect(lines.pop()).toBe('# EOF');
  expect(lines).not.toContain('# EOF');
  const seen = new Set<string>();
  let family = '';
  let type = '';
  for (const line of lines) {
    if (line === '') {
      expect(openMetrics, 'blank line in OpenMetrics').toBe(false);
      continue;
    }
    const help = /^# HELP (\S+) /.exec(line);
    const typed = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help) {
      expect(seen.has(help[1] as string), `family ${help[1]} twice`).toBe(false);
      seen.add((family = help[1] as string));
    } else if (typed) {
      expect(typed[1]).toBe(family);
      type = typed[2] as string;
      if (openMetrics && type === 'counter') expect(family).not.toMatch(/_total$/);
    } else {
      const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line)?.[1];
      const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : openMetrics && type === 'counter' ? ['_total'] : [''];
      expect(suffixes.map((s) => family + s), line).toContain(name);
    }
  }
}

describe('hand-rendered per-target families', () => {
  const exchange = fakeTarget('exchange', { service: 'Exchange', category: 'Optimize' });
  const smtp = fakeTarget('smtp', { service: 'Exchange', category: 'Allow', path: 'corp' });

  it('gives the same series and values as prom-client did, constant labels included', async () => {
    setConstantLabels(registries, { site: 'hq', region: 'emea' });
    const feeds: [ScheduledTarget, ProbeResult][] = [
      [exchange, tlsResult(1_700_000_000_123)],
      [smtp, failedResult('connect', 'connect_refused', { dns: 0.003, connect: 0.001 })],
      [smtp, failedResult('connect', 'connect_refused', { dns: 0.0031 })],
      [smtp, failedResult('dns', 'dns_nxdomain', { dns: 1e-7 })],
      [exchange, tlsResult(1_700_000_015_456)],
    ];
    for (const [t, r] of feeds) feed(t, r);
    const ours = perTarget(parseExposition(await render()));
    const reference = perTarget(parseExposition(await promClientReference(feeds, { site: 'hq', region: 'emea' }).metrics()));
    expect(ours.length).toBeGreaterThan(15);
    expect(ours).toEqual(reference);
  });

  it('escapes hostile target names and label values so that they read back unchanged', async () => {
    const hostile = 'evil"} o365_probe_success 1\n# \\x{';
    const t = fakeTarget(hostile, { service: 'Serv\\ice', category: 'Optimize', path: 'pr"oxy' });
    setConstantLabels(registries, { site: 'line\nbreak "and" \\ slash' });
    feed(t, tlsResult(1_700_000_000_000));
    const text = await render();
    const series = parseExposition(text);
    const labels = { target: hostile, service: 'Serv\\ice', path: 'pr"oxy', site: 'line\nbreak "and" \\ slash' };
    expect(select(series, 'o365_probe_success', labels).map((s) => s.value)).toEqual([1]);
    expect(select(series, 'o365_tls_info', { ...labels, issuer: 'CN=Issuer "quoted" \\ back' })).toHaveLength(1);
    expect(series.filter((s) => s.labels.target !== undefined).every((s) => s.labels.target === hostile)).toBe(true);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it('sends as bytes exactly the text it renders, with multi-byte names, in both formats', async () => {
    setConstantLabels(registries, { site: 'Zürich ☃' });
    feed(fakeTarget('münchen-😀', { service: 'Exchange' }), tlsResult(1_700_000_000_000));
    feed(fakeTarget('plain'), failedResult('dns', 'dns_nxdomain', { dns: 0.5 }));
    for (const openMetrics of [false, true]) {
      const text = await render(openMetrics);
      const bytes = await renderMetricsBytes(registries, openMetrics);
      expect(bytes.body.toString('utf8')).toBe(text);
      expect(bytes.body.length).toBe(Buffer.byteLength(text));
      expect(bytes.contentType).toBe((await renderMetrics(registries, openMetrics)).contentType);
    }
    expect(select(parseExposition(await render()), 'o365_probe_success', { target: 'münchen-😀', site: 'Zürich ☃' }).map((s) => s.value)).toEqual([1]);
  });

  it('keeps families contiguous with one HELP/TYPE each, in the text format and in OpenMetrics', async () => {
    for (let i = 0; i < 3; i++) {
      feed(fakeTarget(`t${i}`), tlsResult(1_700_000_000_000));
      feed(fakeTarget(`t${i}`), failedResult('tls', 'tls_timeout', { dns: 0.001, connect: 0.002 }));
    }
    new Counter({ name: 'o365_other_total', help: 'a prom-client counter beside them', registers: registries.all }).inc();
    const prometheus = await render(false);
    const openMetrics = await render(true);
    checkStructure(prometheus, false);
    checkStructure(openMetrics, true);
    expect(openMetrics).toContain('# TYPE o365_probes counter\n');
    expect(openMetrics).toContain('# TYPE o365_other counter\n');
    expect(prometheus).toContain('# TYPE o365_probes_total counter\n');
    expect(openMetrics).toMatch(/^o365_probe_failures_total\{target="t0",.*reason="tls_timeout"\} 1$/m);
    // Same samples in both formats.
    expect(parseExposition(openMetrics.replace('# EOF\n', ''))).toEqual(parseExposition(prometheus));
    const check = spawnSync('promtool', ['check', 'metrics'], { input: prometheus, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
  });

  it('drops a forgotten target and follows a target relabelled by a reload and new constant labels', async () => {
    feed(exchange, tlsResult(1_700_000_000_000));
    feed(smtp, failedResult('connect', 'connect_refused', { connect: 0.001 }));
    metrics.forget(exchange);
    store.forget(exchange);
    let series = parseExposition(await render());
    expect(new Set(series.filter((s) => s.labels.target).map((s) => s.labels.target))).toEqual(new Set(['smtp']));
    // A reload refreshes the stored target (same key, new service) and the config labels.
    store.track({ ...smtp, service: 'Teams' });
    setConstantLabels(registries, { site: 'branch' });
    series = parseExposition(await render());
    expect(select(series, 'o365_probe_success', { target: 'smtp', service: 'Teams', site: 'branch' }).map((s) => s.value)).toEqual([0]);
    expect(select(series, 'o365_probe_success', { service: 'Exchange' })).toEqual([]);
    expect(select(series, 'o365_probes_total', { target: 'smtp', service: 'Teams' }).map((s) => s.value)).toEqual([1]);
  });

  it('stays equal to prom-client over many targets (several blocks) fed, re-fed and forgotten between scrapes', async () => {
    const targets = Array.from({ length: 150 }, (_, i) => fakeTarget(`t${i}`, { service: i % 2 ? 'Teams' : 'Exchange' }));
    const feeds: [ScheduledTarget, ProbeResult][] = [];
    const feedAll = (list: ScheduledTarget[], round: number) => list.forEach((t, i) => {
      const r = (i + round) % 5 === 0 ? failedResult('connect', 'connect_refused', { connect: 0.001 * i }) : tlsResult(1_700_000_000_000 + round * 15_000 + i);
      feed(t, r);
      feeds.push([t, r]);
    });
    feedAll(targets, 0);
    await render();
    feedAll(targets.filter((_, i) => i % 3 === 0), 1);
    const gone = new Set(targets.slice(60, 140).map((t) => t.key));
    for (const t of targets.filter((t) => gone.has(t.key))) {
      metrics.forget(t);
      store.forget(t);
    }
    feedAll([fakeTarget('late')], 2);
    const text = await render();
    const reference = promClientReference(feeds.filter(([t]) => !gone.has(t.key)), {});
    expect(perTarget(parseExposition(text))).toEqual(perTarget(parseExposition(await reference.metrics())));
    checkStructure(text, false);
    expect(new Set(parseExposition(text).map((s) => s.labels.target).filter(Boolean)).size).toBe(71);
  });

  it('gives each target a fixed number of lines, however many histogram buckets there are', async () => {
    const count = (text: string, name: string) => text.split('\n').filter((l) => l.includes(`target="${name}"`)).length;
    feed(fakeTarget('a'), tlsResult(1_700_000_000_000));
    const one = await render();
    feed(fakeTarget('b'), tlsResult(1_700_000_000_000));
    const two = await render();
    // probes, success, duration, timestamp, 5 phases, HTTP status, expiry, TLS info, DNS info.
    expect(count(two, 'a')).toBe(13);
    expect(count(two, 'b')).toBe(13);
    expect(count(two, 'b')).toBeLessThan(PHASE_BUCKETS.length);
    // The second target of the same service, category and path adds its own lines only.
    expect(two.split('\n').length - one.split('\n').length).toBe(13);
    expect(select(parseExposition(two), 'o365_probe_phase_duration_seconds_count', { phase: 'tls' }).map((s) => s.value)).toEqual([2]);
    expect(PROBE_FAMILIES.map((f) => f.name)).toContain('o365_probe_phase_seconds');
  });
});
