/**
 * Static half of the proof (the live half is promql-live.test.ts): every dashboard query,
 * variable query and rule expression is valid PromQL, and every metric name they use is
 * accounted for: exported (src/), recorded (rules/recording.yml), Prometheus' own, or on the
 * documented pending list, which must not go stale.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PENDING_METRICS, pendingSeriesNames } from '../../scripts/dashboards/pending-metrics.js';
import { REPO_ROOT } from '../helpers/process.js';
import { PROMETHEUS_SERIES, dashboardQueries, labelValues, loadDashboards, loadRules, parsePromql, queryVariables, substitute } from './promql.js';

const dashboards = loadDashboards();
const queries = dashboardQueries(dashboards);
const rules = loadRules();
const pending = pendingSeriesNames();
const recorded = new Set(rules.filter((r) => r.kind === 'record').map((r) => r.name));
/** Any value works for parsing: each variable is a regex or a label value inside quotes. */
const PARSE_VALUES = { site: '.*', service: '.*', target: 'x', __rate_interval: '1m' };

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const srcText = tsFiles(join(REPO_ROOT, 'src')).map((f) => readFileSync(f, 'utf8')).join('\n');
/** A metric is defined in src/ when its name appears there as a string literal. */
const inSrc = (name: string) => new RegExp(`['"\`]${name}['"\`]`).test(srcText);
/** Series names of a metric defined in src/ (histograms add suffixes). */
const definedInSrc = (name: string) => inSrc(name) || inSrc(name.replace(/_(bucket|sum|count)$/, ''));

const everyUse = [
  ...queries.map((q) => ({ where: q.id, expr: substitute(q.expr, PARSE_VALUES) })),
  ...dashboards.flatMap((d) => queryVariables(d).map((v) => ({ where: `${d.uid}/$${v.name}`, expr: substitute(labelValues(v.definition).selector, PARSE_VALUES) }))),
  ...rules.map((r) => ({ where: `${r.group}/${r.name}`, expr: r.expr })),
];

describe('PromQL of dashboards and rules', () => {
  it('finds the queries (a broken loader would make every check below vacuous)', () => {
    expect(queries.length).toBeGreaterThan(50);
    expect(rules.filter((r) => r.kind === 'alert').length).toBeGreaterThanOrEqual(19);
  });

  it.each(everyUse.map((u) => [u.where, u.expr] as const))('%s parses', (_where, expr) => {
    expect(parsePromql(expr).errors).toEqual([]);
  });

  it('the parser rejects what Prometheus rejects (so the check above can fail)', () => {
    expect(parsePromql('sum(rate(o365_probes_total[5m])').errors).not.toEqual([]);
    expect(parsePromql('o365_probe_success{target="$target"').errors).not.toEqual([]);
    expect(parsePromql('sum by (le) (increase(o365_probe_phase_duration_seconds_bucket{phase="dns"}[1m]))').metricNames).toEqual(['o365_probe_phase_duration_seconds_bucket']);
    expect(parsePromql('{__name__="o365_probe_success"} and on (job) up').metricNames.sort()).toEqual(['o365_probe_success', 'up']);
  });

  it('substitutes every Grafana variable a query uses', () => {
    expect(substitute('rate(x{site=~"$site", t="${target}"}[$__rate_interval])', PARSE_VALUES)).toBe('rate(x{site=~".*", t="x"}[1m])');
    expect(() => substitute('x{a="$nope"}', PARSE_VALUES)).toThrow(/\$nope/);
  });
});

describe('metric names', () => {
  const used = new Map<string, string[]>();
  for (const u of everyUse) for (const name of parsePromql(u.expr).metricNames) used.set(name, [...(used.get(name) ?? []), u.where]);

  it('every name is exported by src/, recorded, Prometheus\' own or pending', () => {
    const unknown = [...used.keys()].filter((n) => !definedInSrc(n) && !recorded.has(n) && !PROMETHEUS_SERIES.has(n) && !pending.has(n) && !/^(nodejs|process)_/.test(n));
    expect(unknown.map((n) => `${n} (used by ${used.get(n)?.[0]})`)).toEqual([]);
  });

  it('every recorded name that is used is recorded, and every o365 name that is not recorded has no colon', () => {
    for (const name of used.keys()) if (name.includes(':')) expect(recorded.has(name), name).toBe(true);
  });

  it('the pending list is not stale: no pending metric is defined in src/ yet (remove it from scripts/dashboards/pending-metrics.ts once it is)', () => {
    expect(PENDING_METRICS.filter((m) => inSrc(m.name)).map((m) => m.name)).toEqual([]);
  });

  it('every pending metric is used by a panel or a rule', () => {
    const usedBase = new Set([...used.keys()].map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    expect(PENDING_METRICS.filter((m) => !usedBase.has(m.name)).map((m) => m.name)).toEqual([]);
  });

  it('rules on pending metrics are in groups named *-pending, and only those', () => {
    for (const r of rules) {
      const usesPending = parsePromql(r.expr).metricNames.some((n) => pending.has(n) || (n.includes(':') && recordedFromPending(n)));
      expect({ rule: r.name, group: r.group, pending: r.group.endsWith('-pending') }).toEqual({ rule: r.name, group: r.group, pending: usesPending });
    }
  });
});

/** A recorded series whose own expression uses a pending metric. */
function recordedFromPending(name: string): boolean {
  const rule = rules.find((r) => r.kind === 'record' && r.name === name);
  return Boolean(rule && parsePromql(rule.expr).metricNames.some((n) => pending.has(n) || (n !== name && n.includes(':') && recordedFromPending(n))));
}
