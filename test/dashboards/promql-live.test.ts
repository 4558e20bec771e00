/**
 * Live half of the dashboard proof: every panel query and variable query of every dashboard,
 * with Grafana's variables substituted, is evaluated by a real Prometheus scraping the real
 * exporter (dist/src/main.js) that probes local targets (test/helpers/o365-lab.ts), with the
 * shipped recording and alerting rules loaded. A query that errors, or returns nothing in
 * this healthy setup, fails, unless it is listed in EXPECTED_EMPTY with the reason, or uses
 * a pending metric (scripts/dashboards/pending-metrics.ts). Expected-empty queries must
 * really be empty, so the list cannot rot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingSeriesNames } from '../../scripts/dashboards/pending-metrics.js';
import { LAB, startLab, type Lab } from '../helpers/o365-lab.js';
import { poll } from '../helpers/process.js';
import type { Sample } from '../helpers/prometheus.js';
import { PROMETHEUS_SERIES, dashboardQueries, labelValues, loadDashboards, loadRules, parsePromql, queryVariables, substitute, type DashboardQuery } from './promql.js';

/**
 * Queries that return nothing in the healthy lab, by `dashboard uid/panel title/refId`.
 * `strict`: asserted empty (if it returns data, the entry is wrong); otherwise it may be empty.
 */
const EXPECTED_EMPTY: Record<string, { reason: string; strict: boolean }> = {
  // Not strict: on a loaded machine even a loopback probe can time out now and then.
  'o365-target-detail/Failures/A': { reason: 'the healthy target has no failure series (unless the machine is overloaded)', strict: false },
  'o365-endpoints-exporter/Probes in flight and skipped/B': { reason: 'slots are missed only when a probe outlasts its interval (possible on a loaded machine)', strict: false },
  'o365-endpoints-exporter/Event loop delay/B': { reason: 'the lab exporter runs without probe threads (scheduler.probe_threads 0, the default)', strict: true },
};

const dashboards = loadDashboards();
const queries = dashboardQueries(dashboards);
const rules = loadRules();
const pending = pendingSeriesNames();
const recorded = new Set(rules.filter((r) => r.kind === 'record').map((r) => r.name));

/**
 * What Grafana substitutes when a NOC picks site "lab", all services, and (where only one is
 * allowed) the healthy target, whose service a single-valued $service follows (Target detail).
 */
function valuesFor(uid: string): Record<string, string> {
  const d = dashboards.find((x) => x.uid === uid);
  const values: Record<string, string> = { site: LAB.site, __rate_interval: '1m' };
  const single: Record<string, string> = { service: 'Exchange' };
  for (const v of d ? queryVariables(d) : []) if (v.name !== 'site') values[v.name] = v.includeAll ? (v.allValue ?? '.*') : (single[v.name] ?? LAB.healthy);
  return values;
}

const usesPending = (expr: string) => parsePromql(expr).metricNames.some((n) => pending.has(n) || (recorded.has(n) && recordedUsesPending(n)));
function recordedUsesPending(name: string): boolean {
  const rule = rules.find((r) => r.kind === 'record' && r.name === name);
  return Boolean(rule && parsePromql(rule.expr).metricNames.some((n) => pending.has(n)));
}

/** Metric names in the exposition (`# TYPE` lines), with the series names histograms add. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    if (!name) continue;
    names.add(name);
    if (type === 'histogram' || type === 'summary') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
  }
  return names;
}

let lab: Lab | undefined;
const getLab = (): Lab => {
  if (!lab) throw new Error('lab not started');
  return lab;
};

beforeAll(async () => {
  lab = await startLab();
  // The last link of the chain: raw series -> 5-minute percentiles -> week baseline.
  await lab.prometheus.waitFor(`o365_target:probe_phase_seconds:p50_5m_median1w{target="${LAB.healthy}"}`, (s) => s.length > 0, 60_000);
}, 120_000);

afterAll(async () => {
  await lab?.stop();
});

describe('the lab', () => {
  it('probes the healthy targets successfully and the broken one not', async () => {
    const expected = { [`${LAB.healthy}/direct`]: 1, [`${LAB.healthy}/${LAB.proxy}`]: 1, [`${LAB.teams}/direct`]: 1, [`${LAB.relay}/direct`]: 1, [`${LAB.down}/direct`]: 0 };
    const byTarget = (samples: Sample[]) => Object.fromEntries(samples.map((s) => [`${s.metric.target}/${s.metric.path}`, s.value]));
    // Polled: a single probe can time out on a busy machine.
    const matches = (s: Sample[]) => {
      const got = byTarget(s);
      return Object.keys(got).length === Object.keys(expected).length && Object.entries(expected).every(([k, v]) => got[k] === v);
    };
    const samples = await getLab().prometheus.waitFor('o365_probe_success', matches, 30_000).catch(() => getLab().prometheus.query('o365_probe_success'));
    expect(byTarget(samples)).toEqual(expected);
  });

  it('derives the proxy penalty: proxy path minus direct path of the same target (the proxy adds 100 ms)', async () => {
    const { prometheus } = getLab();
    const avg = (path: string) => `o365_target:probe_duration_seconds:avg5m{target="${LAB.healthy}", path="${path}"}`;
    const penalty = `o365_target:probe_proxy_penalty_seconds:avg5m{target="${LAB.healthy}"}`;
    const [series] = await prometheus.waitFor(penalty, (s) => s.length === 1, 30_000);
    expect(series?.metric.path).toBe(LAB.proxy);
    // Every probe through the proxy waits for its 100 ms delay (a lower bound, whatever the load).
    expect((await prometheus.query(avg(LAB.proxy)))[0]?.value).toBeGreaterThanOrEqual(0.1);
    // The recorded penalty is exactly the difference of the recorded averages (polled: one evaluation may be midway).
    await prometheus.waitFor(`abs(${penalty} - ignoring (path) (${avg(LAB.proxy)} - ignoring (path) ${avg('direct')})) < 1e-9`, (s) => s.length === 1, 15_000);
    expect(series?.value).toBeGreaterThan(0);
  });

  it('loads every rule group of the shipped files, all healthy', async () => {
    const res = await fetch(`${getLab().prometheus.baseUrl}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
    const loaded = body.data.groups.flatMap((g) => g.rules.map((r) => ({ name: r.name, health: r.health, error: r.lastError ?? '' })));
    expect(loaded.map((r) => r.name).sort()).toEqual(rules.map((r) => r.name).sort());
    expect(loaded.filter((r) => r.health === 'err')).toEqual([]);
  });
});

describe('metric names in the exporter output', () => {
  it('every name a dashboard or rule uses is exported, recorded, Prometheus\' own or pending; pending ones are not exported', async () => {
    const text = await (await fetch(`${getLab().exporter.baseUrl}/metrics`)).text();
    const exposed = exposedNames(text);
    expect(exposed.has('o365_probe_success')).toBe(true);
    const exprs = [
      ...queries.map((q) => substitute(q.expr, valuesFor(q.dashboard))),
      ...dashboards.flatMap((d) => queryVariables(d).map((v) => substitute(labelValues(v.definition).selector, valuesFor(d.uid)))),
      ...rules.map((r) => r.expr),
    ];
    const used = new Set(exprs.flatMap((e) => parsePromql(e).metricNames));
    const missing = [...used].filter((n) => !exposed.has(n) && !recorded.has(n) && !PROMETHEUS_SERIES.has(n) && !pending.has(n));
    expect(missing).toEqual([]);
    const pendingButExported = [...pending].filter((n) => exposed.has(n));
    expect(pendingButExported, 'exported now: remove from scripts/dashboards/pending-metrics.ts').toEqual([]);
  });
});

async function evaluate(q: DashboardQuery): Promise<{ expr: string; samples: Sample[] }> {
  const expr = substitute(q.expr, valuesFor(q.dashboard));
  expect(parsePromql(expr).errors).toEqual([]);
  const empty = EXPECTED_EMPTY[q.id] ?? (usesPending(expr) ? { reason: 'pending metric', strict: true } : undefined);
  // Errors (bad PromQL, many-to-many matches, ...) throw from query().
  if (empty) return { expr, samples: await getLab().prometheus.query(expr) };
  const samples = await poll(`${q.id}: ${expr} to return series`, async () => {
    const s = await getLab().prometheus.query(expr);
    return s.length ? s : undefined;
  }, 20_000, 250);
  return { expr, samples };
}

describe.each(dashboards.map((d) => [d.uid] as const))('dashboard %s against the live Prometheus', (uid) => {
  it.each(queries.filter((q) => q.dashboard === uid).map((q) => [q.id, q] as const))('%s', async (id, q) => {
    const { expr, samples } = await evaluate(q);
    const empty = EXPECTED_EMPTY[id];
    if (empty?.strict || (!empty && usesPending(expr))) expect(samples, `${id} should be empty (${empty?.reason ?? 'pending metric'})`).toEqual([]);
    else if (!empty) expect(samples.length).toBeGreaterThan(0);
    // Every label the legend names is on the series (an aggregation that drops it shows blanks).
    for (const [, label] of q.legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) {
      if (samples.length && label) expect(samples.some((sample) => label in sample.metric), `${id}: legend {{${label}}} not in ${JSON.stringify(samples[0]?.metric)}`).toBe(true);
    }
    // Data links to the Target detail carry labels of the clicked series.
    for (const label of q.linkLabels) expect(samples.every((sample) => label in sample.metric), `${id}: link label ${label}`).toBe(true);
  }, 30_000);

  it('variable queries list the lab\'s sites and targets', async () => {
    const d = dashboards.find((x) => x.uid === uid);
    for (const v of d ? queryVariables(d) : []) {
      const { selector, label } = labelValues(v.definition);
      const samples = await getLab().prometheus.query(substitute(selector, valuesFor(uid)));
      const values = new Set(samples.map((s) => s.metric[label]).filter(Boolean));
      expect(values.size, `${uid} $${v.name}`).toBeGreaterThan(0);
      if (v.name === 'site') expect([...values]).toEqual([LAB.site]);
      if (v.name === 'target' && uid === 'o365-target-detail') expect(values.has(LAB.healthy)).toBe(true);
    }
  });
});

describe('expected-empty list', () => {
  it('data links were found (so the link label check above is not vacuous)', () => {
    expect(queries.filter((q) => q.linkLabels.includes('target')).length).toBeGreaterThan(0);
  });

  it('names only queries that exist', () => {
    const ids = new Set(queries.map((q) => q.id));
    expect(Object.keys(EXPECTED_EMPTY).filter((id) => !ids.has(id))).toEqual([]);
  });
});

describe('rule expressions against the live Prometheus', () => {
  it.each(rules.map((r) => [`${r.group}/${r.name}`, r.expr] as const))('%s evaluates without error', async (_name, expr) => {
    await expect(getLab().prometheus.query(expr)).resolves.toBeInstanceOf(Array);
  });
});
