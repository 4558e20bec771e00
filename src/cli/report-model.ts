/**
 * The report as data: one row per target and path with its verdicts, and the "what to fix
 * first" list. Both the terminal table and --json are views of this.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import { frontDoorOf, type FrontDoorView } from './front-door.js';
import { DEFAULT_VERDICT_CONTEXT, verdictsFor, type Severity, type Verdict, type VerdictContext } from './verdicts.js';

export interface ReportRow {
  target: string;
  path: string;
  service: string;
  category: string;
  success: boolean;
  frontDoor?: FrontDoorView;
  verdicts: Verdict[];
  result: ProbeResult;
}

export interface FixItem {
  severity: Severity;
  code: string;
  /** Targets (name/path) it applies to, most important first. */
  targets: string[];
  message: string;
  fix: string;
}

export interface ReportModel {
  rows: ReportRow[];
  fixFirst: FixItem[];
  passed: boolean;
}

export function buildReport(runs: { target: ScheduledTarget; result: ProbeResult }[], context: VerdictContext = DEFAULT_VERDICT_CONTEXT): ReportModel {
  const rows = runs.map(({ target: t, result }) => ({
    target: t.name,
    path: t.path,
    service: t.service,
    category: t.category,
    success: result.success,
    frontDoor: frontDoorOf(result, context.location),
    verdicts: verdictsFor(t, result, context),
    result,
  }));
  const passed = rows.every((r) => r.success && !r.verdicts.some((v) => v.severity === 'fail'));
  return { rows, fixFirst: fixFirst(rows), passed };
}

/** Microsoft's categories in the order they matter: Optimize traffic is the most sensitive. */
const CATEGORY_RANK: Record<string, number> = { Optimize: 0, Allow: 1, Default: 2 };
const rank = (category: string) => CATEGORY_RANK[category] ?? 3;

/**
 * Failures before warnings; within each, the issue touching the most important category,
 * then the one touching most targets. Same-code issues are merged ("DNS slow on 3 targets").
 */
export function fixFirst(rows: ReportRow[], limit = 5): FixItem[] {
  const groups = new Map<string, { verdict: Verdict; rows: ReportRow[] }>();
  for (const row of rows) {
    for (const verdict of row.verdicts) {
      const group = groups.get(verdict.code) ?? { verdict, rows: [] };
      group.rows.push(row);
      groups.set(verdict.code, group);
    }
  }
  const items = [...groups.values()].map(({ verdict, rows: hit }) => {
    const ordered = [...hit].sort((a, b) => rank(a.category) - rank(b.category));
    const first = ordered[0] as ReportRow;
    const names = ordered.slice(0, 3).map(label).join(', ') + (ordered.length > 3 ? `, +${ordered.length - 3} more` : '');
    const message = ordered.length === 1 ? `${label(first)}: ${firstMessage(first, verdict.code)}` : `${ordered.length} targets (${names}), e.g. ${label(first)}: ${firstMessage(first, verdict.code)}`;
    return { severity: verdict.severity, code: verdict.code, targets: ordered.map(label), message, fix: verdict.fix, best: rank(first.category) };
  });
  items.sort((a, b) => severityRank(a.severity) - severityRank(b.severity) || a.best - b.best || b.targets.length - a.targets.length);
  return items.slice(0, limit).map(({ best: _best, ...item }) => item);
}

function firstMessage(row: ReportRow, code: string): string {
  return row.verdicts.find((v) => v.code === code)?.message ?? code;
}

function severityRank(severity: Severity): number {
  return severity === 'fail' ? 0 : 1;
}

export function label(row: { target: string; path: string }): string {
  return row.path === 'direct' ? row.target : `${row.target} via ${row.path}`;
}
