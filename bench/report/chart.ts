/** bench/results/latest.svg: accuracy, /probe cost, scheduled RSS and cost, one panel each. */
import type { CaseResult } from '../scenarios/accuracy-case.js';
import type { ScheduledResult } from '../scenarios/scheduled.js';
import type { ThroughputStep } from '../scenarios/throughput.js';
import { byConcurrency, concurrencies, type BenchResults } from './results.js';
import { legend, line, polyline, rect, svgDocument, text, yAxis, yLogAxis, type Frame } from './svg.js';

export const WIDTH = 1400;
const COLORS = {
  o365: ['#08306b', '#2171b5', '#6baed6', '#b7d4ea'],
  blackbox: ['#7f2704', '#d94801', '#fd8d3c', '#fdd0a2'],
  reference: ['#00441b', '#238b45', '#74c476', '#c7e9c0'],
};
type Kind = keyof typeof COLORS;
const SIZE_COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e'];

type Bars = (draw: (x: number, w: number, kind: Kind, phase: number, p: CaseResult['exporters'][number]['phases'][number]) => void) => void;

/** The clients with figures in the run: the two exporters, and the C reference client when it ran. */
function kindsOf(cases: CaseResult[]): Kind[] {
  return cases.some((c) => c.exporters.some((e) => e.exporter === 'reference')) ? ['o365', 'blackbox', 'reference'] : ['o365', 'blackbox'];
}

/** Calls `draw` for each bar: per case, the four phases of o365, then of blackbox (then of the C client). */
function barsOf(cases: CaseResult[], f: Frame): Bars {
  const kinds = kindsOf(cases);
  const group = f.w / Math.max(1, cases.length);
  const bar = (group - 14) / (4 * kinds.length);
  return (draw) =>
    cases.forEach((c, ci) =>
      kinds.forEach((kind, ki) =>
        c.exporters.find((e) => e.exporter === kind)?.phases.forEach((p, pi) => draw(f.x + ci * group + 7 + (ki * 4 + pi) * bar, bar - 1, kind, pi, p)),
      ),
    );
}

function accuracyPanel(parts: string[], f: Frame, cases: CaseResult[]): void {
  parts.push(text(f.x, f.y - 28, 'Accuracy: reported minus injected RTT x round trips, ms (top: median, signed; bottom: p99 of |error|, log scale)', { size: 14, weight: 'bold' }));
  const names: Record<Kind, string> = { o365: 'o365', blackbox: 'blackbox', reference: 'C client' };
  legend(parts, f.x, f.y - 8, kindsOf(cases).flatMap((kind) => ['dns', 'connect', 'tls', 'first_byte'].map((p, i): [string, string] => [COLORS[kind][i] as string, `${names[kind]} ${p}`])));
  const top = { ...f, h: f.h * 0.45 };
  const bottom = { ...f, y: f.y + f.h * 0.55, h: f.h * 0.45 };
  const medians = cases.flatMap((c) => c.exporters.flatMap((e) => e.phases.map((p) => p.nominal.median))).filter(Number.isFinite);
  const y = yAxis(parts, top, Math.min(-0.5, ...medians), Math.max(1, ...medians) * 1.05, 'median (ms)');
  for (const goal of [0.3, -0.3]) parts.push(line(f.x, y(goal), f.x + f.w, y(goal), '#2a2', { dash: '4 3' }));
  const bars = barsOf(cases, f);
  bars((x, w, kind, pi, p) => parts.push(rect(x, y(0), w, y(p.nominal.median) - y(0), COLORS[kind][pi] as string)));
  // After the bars, over them: the last case's bars are often the tallest.
  parts.push(text(f.x + f.w - 4, y(0.3) - 4, 'goal +-0.3 ms', { size: 10, anchor: 'end', fill: '#2a2', halo: true }));
  const y99 = yLogAxis(parts, bottom, 0.1, 1000, 'p99 |error| (ms)');
  parts.push(line(f.x, y99(1), f.x + f.w, y99(1), '#a22', { dash: '4 3' }));
  bars((x, w, kind, pi, p) => parts.push(rect(x, y99(0.1), w, y99(p.nominal.p99Abs) - y99(0.1), COLORS[kind][pi] as string)));
  parts.push(text(f.x + f.w - 4, y99(1) - 4, 'goal 1 ms', { size: 10, anchor: 'end', fill: '#a22', halo: true }));
  const group = f.w / Math.max(1, cases.length);
  cases.forEach((c, ci) => parts.push(text(f.x + ci * group + group / 2, f.y + f.h + 16, c.label, { size: 11, anchor: 'middle' })));
}

function throughputPanel(parts: string[], f: Frame, steps: ThroughputStep[]): void {
  parts.push(text(f.x - 40, f.y - 28, '/probe: probes per CPU second (label: probes/s)', { size: 14, weight: 'bold' }));
  legend(parts, f.x, f.y - 8, [[COLORS.o365[1] as string, 'o365-exporter'], [COLORS.blackbox[1] as string, 'blackbox_exporter']]);
  const levels = concurrencies(byConcurrency(steps));
  const top = Math.max(1, ...steps.map((s) => (Number.isFinite(s.probesPerCpuSecond) ? s.probesPerCpuSecond : 0))) * 1.15;
  const y = yAxis(parts, f, 0, top, 'probes / CPU s');
  const group = f.w / Math.max(1, levels.length);
  levels.forEach((c, li) => {
    (['o365', 'blackbox'] as const).forEach((kind, ki) => {
      const s = steps.find((x) => x.exporter === kind && x.concurrency === c);
      if (!s) return;
      const x = f.x + li * group + 10 + ki * ((group - 20) / 2);
      const w = (group - 20) / 2 - 4;
      parts.push(rect(x, y(0), w, y(s.probesPerCpuSecond) - y(0), COLORS[kind][1] as string));
      parts.push(text(x + w / 2, y(s.probesPerCpuSecond) - 4, `${s.probesPerSecond.toFixed(0)}/s`, { size: 10, anchor: 'middle' }));
    });
    parts.push(text(f.x + li * group + group / 2, f.y + f.h + 16, `concurrency ${c}`, { size: 11, anchor: 'middle' }));
  });
}

function rssPanel(parts: string[], f: Frame, results: ScheduledResult[]): void {
  parts.push(text(f.x - 40, f.y - 28, 'Scheduled mode: RSS over time, MiB', { size: 14, weight: 'bold' }));
  legend(parts, f.x, f.y - 8, results.map((r, i): [string, string] => [SIZE_COLORS[i % SIZE_COLORS.length] as string, `${r.targets} targets`]));
  const maxT = Math.max(1, ...results.flatMap((r) => r.samples.map((s) => s.t)));
  const maxMiB = Math.max(50, ...results.flatMap((r) => r.samples.map((s) => s.rssBytes / 2 ** 20))) * 1.1;
  const y = yAxis(parts, f, 0, maxMiB, 'RSS (MiB)');
  const x = (t: number) => f.x + (t / maxT) * f.w;
  results.forEach((r, i) => parts.push(polyline(r.samples.map((s) => [x(s.t), y(s.rssBytes / 2 ** 20)]), SIZE_COLORS[i % SIZE_COLORS.length] as string)));
  for (let t = 0; t <= maxT; t += maxT > 150 ? 60 : maxT > 60 ? 30 : 10) parts.push(text(x(t), f.y + f.h + 16, `${t} s`, { size: 11, anchor: 'middle' }));
}

function costPanel(parts: string[], f: Frame, results: ScheduledResult[]): void {
  parts.push(text(f.x - 40, f.y - 28, 'Scheduled: CPU % of a core (label: /metrics s)', { size: 14, weight: 'bold' }));
  const top = Math.max(10, ...results.map((r) => r.cpuPercent)) * 1.2;
  const y = yAxis(parts, f, 0, top, 'CPU %');
  const group = f.w / Math.max(1, results.length);
  results.forEach((r, i) => {
    const x = f.x + i * group + group * 0.2;
    parts.push(rect(x, y(0), group * 0.6, y(r.cpuPercent) - y(0), SIZE_COLORS[i % SIZE_COLORS.length] as string));
    parts.push(text(x + group * 0.3, y(r.cpuPercent) - 4, `${r.cpuPercent.toFixed(0)} %, ${r.metricsMedianSeconds.toFixed(2)} s`, { size: 10, anchor: 'middle' }));
    parts.push(text(x + group * 0.3, f.y + f.h + 16, `${r.targets} targets`, { size: 11, anchor: 'middle' }));
  });
}

/** Where each panel goes: rows only for what the run measured (a partial run leaves no blank panel). */
export function chartLayout(r: BenchResults): { height: number; draw: (parts: string[]) => void } {
  const steps: ((parts: string[]) => void)[] = [];
  let y = 100;
  if (r.accuracy) {
    const cases = r.accuracy.cases;
    const top = y;
    steps.push((parts) => accuracyPanel(parts, { x: 70, y: top, w: WIDTH - 100, h: 380 }, cases));
    y += 520;
  }
  const panels: ((parts: string[], f: Frame) => void)[] = [];
  const { throughput, scheduled } = r;
  if (throughput) panels.push((parts, f) => throughputPanel(parts, f, throughput));
  if (scheduled) panels.push((parts, f) => rssPanel(parts, f, scheduled), (parts, f) => costPanel(parts, f, scheduled));
  const w = (WIDTH - 240) / 3;
  const row = y;
  panels.forEach((panel, i) => steps.push((parts) => panel(parts, { x: 80 + i * (w + 80), y: row, w, h: 320 })));
  if (panels.length) y += 380;
  return { height: Math.max(y, 200), draw: (parts) => steps.forEach((step) => step(parts)) };
}

export function chartSvg(r: BenchResults): string {
  const parts: string[] = [text(20, 26, `o365-exporter bench, ${r.date.slice(0, 10)}: ${r.machine.cores} cores, ${(r.machine.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${r.machine.node}${r.lab?.exporterNode ? ` (harness; this exporter on ${r.lab.exporterNode.node})` : ''}, blackbox_exporter ${r.machine.blackbox}`, { size: 16, weight: 'bold' })];
  const layout = chartLayout(r);
  layout.draw(parts);
  return svgDocument(WIDTH, layout.height, parts);
}
