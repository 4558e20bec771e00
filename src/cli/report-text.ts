/** The report for a person at a terminal: a table, the findings per target, what to fix first. */
import type { Phase } from '../probes/result.js';
import { label, type ReportModel, type ReportRow } from './report-model.js';

const COLUMNS: { title: string; cell: (r: ReportRow) => string; right?: boolean }[] = [
  { title: 'TARGET', cell: label },
  { title: 'SERVICE', cell: (r) => r.service },
  { title: 'DNS', cell: (r) => phaseMs(r, 'dns'), right: true },
  { title: 'CONNECT', cell: (r) => phaseMs(r, 'connect'), right: true },
  { title: 'TLS', cell: (r) => phaseMs(r, 'tls'), right: true },
  { title: '1ST BYTE', cell: (r) => phaseMs(r, 'first_byte'), right: true },
  { title: 'STATUS', cell: (r) => (r.result.http ? String(r.result.http.statusCode) : '-'), right: true },
  { title: 'FRONT DOOR', cell: frontDoorCell },
  { title: 'RESULT', cell: resultCell },
];

function phaseMs(row: ReportRow, phase: Phase): string {
  const seconds = row.result.phases[phase];
  if (seconds === undefined) return row.result.failure?.phase === phase ? 'FAIL' : '-';
  const value = seconds * 1000;
  return value < 10 ? value.toFixed(1) : String(Math.round(value));
}

/** "LHR London", "AM Amsterdam 12 km", or the bare code when the city is unknown. */
function frontDoorCell(row: ReportRow): string {
  const door = row.frontDoor;
  if (!door) return '-';
  return [door.code, door.city, door.distanceKm === undefined ? undefined : `${door.distanceKm} km`].filter(Boolean).join(' ');
}

function resultCell(row: ReportRow): string {
  if (row.result.failure) return `FAIL ${row.result.failure.phase}: ${row.result.failure.reason}`;
  const warnings = row.verdicts.filter((v) => v.severity === 'warn').length;
  return warnings ? `ok, ${warnings} warning${warnings > 1 ? 's' : ''}` : 'ok';
}

export function renderText(model: ReportModel, source: string): string {
  const failed = model.rows.filter((r) => !r.success).length;
  const warned = model.rows.filter((r) => r.success && r.verdicts.length > 0).length;
  const lines = [
    `o365-exporter probe: ${model.rows.length} target${model.rows.length === 1 ? '' : 's'}, ${model.rows.length - failed} passed, ${failed} failed, ${warned} with warnings (config: ${source})`,
    '',
    ...table(model.rows),
    '(times in ms; FRONT DOOR from the <iata>-efz.ms-acdc CNAME, X-MSEdge-Ref or X-FEServer; km from the config location)',
  ];
  const findings = model.rows.filter((r) => r.verdicts.length > 0);
  if (findings.length) {
    lines.push('', 'Findings (Microsoft 365 network guidance):');
    for (const row of findings) {
      for (const v of row.verdicts) lines.push(`  ${v.severity === 'fail' ? 'FAIL' : 'WARN'}  ${label(row)}: ${v.message}`);
    }
  }
  lines.push('', model.fixFirst.length ? 'What to fix first:' : 'Nothing to fix: every probe passed within Microsoft\'s guidance.');
  model.fixFirst.forEach((item, i) => {
    lines.push(`  ${i + 1}. ${item.message}`, `     -> ${item.fix}`);
  });
  return `${lines.join('\n')}\n`;
}

function table(rows: ReportRow[]): string[] {
  const cells = rows.map((r) => COLUMNS.map((c) => c.cell(r)));
  const widths = COLUMNS.map((c, i) => Math.max(c.title.length, ...cells.map((row) => (row[i] ?? '').length)));
  const format = (values: string[]) =>
    values
      .map((v, i) => (COLUMNS[i]?.right ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(COLUMNS.map((c) => c.title)), ...cells.map(format)];
}
