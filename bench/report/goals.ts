/** The issue's goals, checked against one run's figures. Each says what it compared. */
import type { CaseResult, PhaseResult, ProberKind } from '../scenarios/accuracy-case.js';
import type { ScheduledResult } from '../scenarios/scheduled.js';
import type { ThroughputRound, ThroughputStep } from '../scenarios/throughput.js';
import { geometricMeanInterval, type RatioInterval } from '../lib/stats.js';
import { byConcurrency, type BenchResults } from './results.js';
import { fixed, signed } from './table.js';

/** 'not judged': the run could not tell (no such case measured, or too short a window). */
export type Verdict = 'met' | 'not met' | 'not judged';

export interface Goal {
  goal: string;
  verdict: Verdict;
  detail: string;
}

const verdictOf = (ok: boolean): Verdict => (ok ? 'met' : 'not met');

export const MEDIAN_GOAL_MS = 0.3;
export const P99_GOAL_MS = 1;
/** "Worse than blackbox" must exceed this: smaller differences are run-to-run noise. */
export const NOT_WORSE_TOLERANCE_MS = 0.05;
export const RSS_GOAL_BYTES = 250 * 2 ** 20;
export const METRICS_GOAL_SECONDS = 0.5;
/** A steady window shorter than this is all warm-up at 5,000 targets (RSS levelled after 3-4 minutes in two 10-minute runs). */
export const RSS_FLAT_MIN_WINDOW_SECONDS = 360;

export interface RssFloors {
  /** Lowest RSS in the third and fourth quarters of the steady window. */
  earlier: number;
  later: number;
  /** undefined: the window is too short to tell warm-up from growth. */
  flat: boolean | undefined;
}

/**
 * RSS is a sawtooth (each large /metrics render allocates, V8 gives back later) and climbs
 * for minutes while V8 sizes its old space: flat means the lowest RSS of the steady window's
 * last quarter is within 2 % (at least 5 MiB) of the third quarter's (a leak of 3 MiB/min
 * shows as ~7.5 MiB between them in a 10-minute run). Judged only on windows
 * of RSS_FLAT_MIN_WINDOW_SECONDS or more, so that the quarters compared are past warm-up; a
 * leak keeps climbing there too.
 */
export function rssFloors(r: ScheduledResult): RssFloors {
  const steady = r.samples.filter((s) => s.t >= r.steadyFromSeconds);
  const from = steady[0]?.t ?? 0;
  const span = (steady.at(-1)?.t ?? 0) - from;
  const low = (start: number, end: number) => {
    const list = steady.filter((s) => s.t >= from + start * span && s.t < from + end * span);
    return list.length ? Math.min(...list.map((s) => s.rssBytes)) : NaN;
  };
  const earlier = low(0.5, 0.75);
  const later = low(0.75, Infinity);
  const flat = span >= RSS_FLAT_MIN_WINDOW_SECONDS ? later - earlier <= Math.max(5 * 2 ** 20, earlier * 0.02) : undefined;
  return { earlier, later, flat };
}

/** 'flat', 'growing', or why it was not judged. */
export function flatness(f: RssFloors): string {
  if (f.flat === undefined) return `not judged: steady window under ${RSS_FLAT_MIN_WINDOW_SECONDS / 60} min, all warm-up`;
  return f.flat ? 'flat' : 'growing';
}

type Which = 'nominal' | 'wire';

function phases(c: CaseResult, kind: ProberKind): PhaseResult[] {
  return c.exporters.find((e) => e.exporter === kind)?.phases ?? [];
}

function withinGoal(cases: CaseResult[], which: Which, goal: string): Goal {
  const misses = cases.flatMap((c) =>
    phases(c, 'o365')
      .filter((p) => !(Math.abs(p[which].median) <= MEDIAN_GOAL_MS && p[which].p99Abs <= P99_GOAL_MS))
      .map((p) => `${c.label} ${p.phase}: ${fixed(p[which].median)} / ${fixed(p[which].p99Abs)}`),
  );
  const total = cases.reduce((n, c) => n + phases(c, 'o365').length, 0);
  const within = (kind: ProberKind) =>
    cases.reduce((n, c) => n + phases(c, kind).filter((p) => Math.abs(p[which].median) <= MEDIAN_GOAL_MS && p[which].p99Abs <= P99_GOAL_MS).length, 0);
  const referenceTotal = cases.reduce((n, c) => n + phases(c, 'reference').length, 0);
  const reference = referenceTotal ? `; the C reference client: ${within('reference')} of ${referenceTotal}` : '';
  const detail = `${within('o365')} of ${total} case-phases within (blackbox_exporter in the same run: ${within('blackbox')}${reference}).${misses.length ? ` Outside (median / p99 ms): ${misses.join('; ')}.` : ''}`;
  return { goal, verdict: total === 0 ? 'not judged' : verdictOf(misses.length === 0), detail };
}

/**
 * With jitter each probe drew its own delay: against the injected mean two clients' errors
 * differ by the draws, so those cases compare errors against each probe's wire truth.
 */
function notWorse(cases: CaseResult[]): Goal {
  const worse = cases.flatMap((c) => {
    const bb = phases(c, 'blackbox');
    const which: Which = c.jitterMs > 0 ? 'wire' : 'nominal';
    return phases(c, 'o365').flatMap((p, i) => {
      const b = bb[i];
      if (!b) return [];
      const med = Math.abs(p[which].median) - Math.abs(b[which].median);
      const p99 = p[which].p99Abs - b[which].p99Abs;
      return med > NOT_WORSE_TOLERANCE_MS || p99 > NOT_WORSE_TOLERANCE_MS ? [`${c.label} ${p.phase} (|median| ${signed(med)}, p99 ${signed(p99)})`] : [];
    });
  });
  return {
    goal: `accuracy never worse than blackbox_exporter in the same run (|median| and p99 error vs injected RTT; with jitter vs the wire; tolerance ${NOT_WORSE_TOLERANCE_MS} ms)`,
    verdict: verdictOf(worse.length === 0),
    detail: worse.length ? `Worse in: ${worse.join('; ')}.` : 'Not worse in any case-phase.',
  };
}

function accuracyGoals(cases: CaseResult[]): Goal[] {
  const fixedDelay = cases.filter((c) => c.jitterMs === 0 && c.rttMs > 0);
  const goal = `median error within ${MEDIAN_GOAL_MS} ms and p99 within ${P99_GOAL_MS} ms of the injected RTT`;
  return [
    withinGoal(fixedDelay.filter((c) => !c.loaded), 'nominal', `${goal} (fixed delay, idle)`),
    withinGoal(fixedDelay.filter((c) => c.loaded), 'nominal', `${goal} (fixed delay, while probing the background targets)`),
    withinGoal(cases.filter((c) => c.jitterMs > 0), 'nominal', `${goal} (with jitter: the injected mean is not each probe's truth)`),
    withinGoal(cases, 'wire', `same bounds against the wire truth (what the link emulator saw), every case`),
    notWorse(cases),
  ];
}

/**
 * Each round's ratio of the two exporters' probes per CPU second (interleaved runs only).
 * Exported for the scripts beside results/throughput-* that read runs as the report does.
 */
export function turnRatios(ours: ThroughputStep, bb: ThroughputStep): number[] {
  const perCpu = (r: ThroughputRound) => r.probes / r.cpuSeconds;
  return (ours.rounds ?? []).flatMap((r, i) => {
    const other = bb.rounds?.[i];
    return other ? [perCpu(r) / perCpu(other)] : [];
  });
}

/** Turns many enough to tell a few per cent at concurrency 1 on a 2-core VM: forty 1 s turns after 12 s of warm-up decided in four runs of four (after 30 s in two of two), ~2 minutes (results/throughput-c1-last/). */
const DECIDING_RUN = '--throughput.seconds=40 --throughput.rounds=40 --throughput.warmup=12';

/** At least 1 by the interval of the turns' ratio: met at or above it, not met below, else not judged. */
export function intervalVerdict(interval: RatioInterval): Verdict {
  return interval.low >= 1 ? 'met' : interval.high < 1 ? 'not met' : 'not judged';
}

/**
 * Met when the 95 % interval of the turns' ratio lies at or above 1, not met when below; when
 * it holds 1 the run cannot tell (at concurrency 1 the machine moves single turns by +-20 %).
 * Runs without turns are judged on the pooled figures.
 */
function probeGoal(ours: ThroughputStep, bb: ThroughputStep): Goal {
  const pooled = ours.probesPerCpuSecond / bb.probesPerCpuSecond;
  const ratios = turnRatios(ours, bb);
  const interval = geometricMeanInterval(ratios);
  const verdict: Verdict = interval ? intervalVerdict(interval) : verdictOf(pooled >= 1);
  const turns = interval
    ? `; turn by turn ${fixed(Math.min(...ratios), 2)}-${fixed(Math.max(...ratios), 2)}x over ${ratios.length} rounds, geometric mean ${fixed(interval.mean, 2)}x, 95 % interval ${fixed(interval.low, 2)}-${fixed(interval.high, 2)}x`
    : '';
  const judge = verdict === 'not judged' ? ` The interval holds 1: these turns cannot tell; \`--only=throughput --throughput.concurrency=${ours.concurrency} ${DECIDING_RUN}\` can.` : '';
  return {
    goal: `/probe at concurrency ${ours.concurrency}: at least blackbox_exporter's probes per CPU second`,
    verdict,
    detail: `${fixed(ours.probesPerCpuSecond, 0)} vs ${fixed(bb.probesPerCpuSecond, 0)} probes per CPU second (${fixed(pooled, 2)}x${turns}).${judge}`,
  };
}

export function evaluateGoals(r: BenchResults): Goal[] {
  const goals: Goal[] = r.accuracy ? accuracyGoals(r.accuracy.cases) : [];
  for (const ours of byConcurrency(r.throughput ?? []).filter((s) => s.exporter === 'o365')) {
    const bb = r.throughput?.find((s) => s.exporter === 'blackbox' && s.concurrency === ours.concurrency);
    if (!bb) continue;
    goals.push(probeGoal(ours, bb));
  }
  const largest = r.scheduled?.length ? r.scheduled.reduce((a, b) => (b.targets > a.targets ? b : a)) : undefined;
  if (largest) goals.push(scaleGoal(largest, r.machine.cores));
  return goals;
}

/**
 * A run long enough to judge flat RSS: its steady window (after the first interval) must reach
 * RSS_FLAT_MIN_WINDOW_SECONDS; 10 minutes at least, as in the runs that showed RSS level.
 */
function judgingSeconds(r: ScheduledResult): number {
  return Math.max(600, Math.ceil((RSS_FLAT_MIN_WINDOW_SECONDS + r.intervalSeconds) / 60) * 60);
}

/** The bounds a short run can check, and flat RSS, which only a run of RSS_FLAT_MIN_WINDOW_SECONDS can. */
function scaleGoal(largest: ScheduledResult, cores: number): Goal {
  const floors = rssFloors(largest);
  const bounds = largest.onTimeRatio >= 0.99 && largest.slotsMissed === 0 && largest.rssMaxBytes < RSS_GOAL_BYTES && largest.failedScrapes === 0 && largest.metricsMaxSeconds < METRICS_GOAL_SECONDS;
  const verdict: Verdict = !bounds || floors.flat === false ? 'not met' : floors.flat === undefined ? 'not judged' : 'met';
  const judge = verdict === 'not judged' ? ` Every other bound met; \`--only=scheduled --scheduled.sizes=${largest.targets} --scheduled.seconds=${judgingSeconds(largest)}\` judges flatness.` : '';
  return {
    goal: `${largest.targets} targets on ${cores} cores: on schedule, RSS < ${RSS_GOAL_BYTES / 2 ** 20} MiB, /metrics < ${METRICS_GOAL_SECONDS} s, flat RSS`,
    verdict,
    detail: `${largest.error ? `${largest.error.split('\n')[0]}. ` : ''}${largest.failedScrapes} failed scrapes, CPU ${fixed(largest.cpuPercent, 0)} % of one core, on time ${fixed(largest.onTimeRatio * 100, 1)} %, missed ${largest.slotsMissed}, RSS max ${fixed(largest.rssMaxBytes / 2 ** 20, 0)} MiB, RSS floor 3rd -> 4th quarter ${fixed(floors.earlier / 2 ** 20, 0)} -> ${fixed(floors.later / 2 ** 20, 0)} MiB (${flatness(floors)}), /metrics max ${fixed(largest.metricsMaxSeconds, 3)} s.${judge}`,
  };
}
