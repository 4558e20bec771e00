/**
 * What the dashboard and rule tests share: every PromQL expression of the dashboards and
 * the rules files, parsed with Prometheus' own Lezer grammar, and the metric names they use.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse as parseYaml } from 'yaml';
import type { Dashboard, Panel, QueryVariable } from '../../scripts/dashboards/grafana.js';
import { REPO_ROOT } from '../helpers/process.js';

export const RULE_FILES = ['rules/alerts.yml', 'rules/recording.yml'].map((f) => join(REPO_ROOT, f));

/** Series Prometheus makes itself: they are never in the exporter's output. */
export const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'ALERTS', 'ALERTS_FOR_STATE']);

export interface Parsed {
  /** Positions and text of syntax errors; empty when the expression is valid PromQL. */
  errors: string[];
  /** Metric names of every selector (`name{...}` and `{__name__="name"}`). */
  metricNames: string[];
}

export function parsePromql(expr: string): Parsed {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const metricNames: string[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        if (id) metricNames.push(expr.slice(id.from, id.to));
      }
      if (node.name === 'UnquotedLabelMatcher' || node.name === 'QuotedLabelMatcher') {
        const text = expr.slice(node.from, node.to);
        const m = /^__name__\s*=\s*"([^"]+)"$/.exec(text);
        if (m?.[1]) metricNames.push(m[1]);
      }
    },
  });
  if (!expr.trim()) errors.push('empty expression');
  return { errors, metricNames: [...new Set(metricNames)] };
}

export interface DashboardQuery {
  dashboard: string;
  panel: string;
  refId: string;
  /** As written in the JSON, with Grafana variables. */
  expr: string;
  /** Grafana's legend template, e.g. "{{site}} {{target}}". */
  legend: string;
  /** Labels the panel's data links read (`${__field.labels.x}`). */
  linkLabels: string[];
  /** `uid/panel title/refId`: how the expected-empty list names a query. */
  id: string;
}

export function loadDashboards(): Dashboard[] {
  const dir = join(REPO_ROOT, 'dashboards');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard);
}

export function dashboardQueries(dashboards: Dashboard[]): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const d of dashboards) {
    for (const p of d.panels) {
      if (p.type === 'row') continue;
      const links = (p as Panel).fieldConfig.defaults.links ?? [];
      const linkLabels = [...new Set(links.flatMap((l) => [...l.url.matchAll(/\$\{__field\.labels\.(\w+)\}/g)].map((m) => m[1] ?? '')))];
      for (const t of (p as Panel).targets) {
        out.push({ dashboard: d.uid, panel: p.title, refId: t.refId, expr: t.expr, legend: t.legendFormat, linkLabels, id: `${d.uid}/${p.title}/${t.refId}` });
      }
    }
  }
  return out;
}

export function queryVariables(d: Dashboard): QueryVariable[] {
  return d.templating.list.filter((v): v is QueryVariable => v.type === 'query');
}

/** `label_values(selector, label)` -> {selector, label}; Grafana's syntax, not PromQL. */
export function labelValues(definition: string): { selector: string; label: string } {
  const m = /^label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(definition);
  if (!m?.[1] || !m[2]) throw new Error(`not a label_values() query: ${definition}`);
  return { selector: m[1], label: m[2] };
}

/**
 * Replaces Grafana's variables the way Grafana would for the given values: `$x` and `${x}`,
 * and the built-in `$__rate_interval`.
 */
export function substitute(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`no value for variable ${whole} in ${expr}`);
    return value;
  });
}

export interface Rule {
  file: string;
  group: string;
  /** Alert name or recorded name. */
  name: string;
  kind: 'alert' | 'record';
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
}

export function loadRules(): Rule[] {
  const out: Rule[] = [];
  for (const file of RULE_FILES) {
    const doc = parseYaml(readFileSync(file, 'utf8')) as RuleFile;
    for (const g of doc.groups) {
      for (const r of g.rules) {
        const name = r.alert ?? r.record ?? '';
        out.push({ file, group: g.name, name, kind: r.alert ? 'alert' : 'record', expr: r.expr, for: r.for, labels: r.labels ?? {}, annotations: r.annotations ?? {} });
      }
    }
  }
  return out;
}
