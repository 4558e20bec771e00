/**
 * Is a soak flat? The run is cut in quarters; the first is warm-up (JIT, heap sizing, TLS
 * session caches). The second quarter's median is the reference and the last quarter's
 * median is compared with it, for levels (RSS, descriptors, timers, lag) and for rates
 * (slot misses and probes per second, from the counters) and for the exporter's CPU time
 * per probe, which, unlike lag, the load of other processes on the machine does not move.
 */
import { median } from './proc-stats.js';
import type { SoakSample } from './soak.js';

export interface Comparison {
  /** Median over the second quarter. */
  reference: number;
  /** Median over the last quarter. */
  last: number;
}

export interface Flatness {
  rssBytes: Comparison;
  heapUsedBytes: Comparison;
  /** Heap left by full collections (see SoakSample.liveHeapBytes). */
  liveHeapBytes: Comparison;
  fds: Comparison;
  timers: Comparison;
  /**
   * Descriptors and timers beyond what the probes in flight hold (a socket, two or three
   * timers each): when the machine is busy, more probes are in flight at once, which is not
   * a leak; what stays after them is.
   */
  fdsAtRest: Comparison;
  timersAtRest: Comparison;
  lagSeconds: Comparison;
  /** Per second. */
  slotsMissedRate: Comparison;
  probeRate: Comparison;
  /** CPU seconds the exporter used per probe run. */
  cpuPerProbe: Comparison;
  maxScrapeMs: number;
}

type Level = 'rssBytes' | 'heapUsedBytes' | 'liveHeapBytes' | 'fds' | 'timers' | 'lagSeconds';

const atRest = (s: SoakSample, key: 'fds' | 'timers', perProbe: number) => Math.max(0, s[key] - perProbe * s.inFlight);

function quarters(samples: SoakSample[]): [SoakSample[], SoakSample[]] {
  const n = samples.length;
  if (n < 8) throw new Error(`${n} samples are too few to compare quarters`);
  return [samples.slice(Math.floor(n / 4), Math.floor(n / 2)), samples.slice(Math.floor((3 * n) / 4))];
}

/** Per-interval rates of a counter between consecutive samples of `part`. */
function rates(part: SoakSample[], counter: 'slotsMissed' | 'probes'): number[] {
  return part.slice(1).map((s, i) => {
    const prev = part[i] as SoakSample;
    return (s[counter] - prev[counter]) / Math.max(1e-3, s.t - prev.t);
  });
}

/** CPU seconds per probe between consecutive samples of `part` (intervals without probes skipped). */
function cpuPerProbe(part: SoakSample[]): number[] {
  return part.slice(1).flatMap((s, i) => {
    const prev = part[i] as SoakSample;
    const probes = s.probes - prev.probes;
    return probes > 0 ? [(s.cpuSeconds - prev.cpuSeconds) / probes] : [];
  });
}

/**
 * The soak asks for a full collection every 10 s (soak.ts), so each quarter of a minute sees
 * one; should the second quarter still have none since the exporter was ready (NaN), the
 * reference is the first one after it.
 */
function liveHeap(samples: SoakSample[], q2: SoakSample[], q4: SoakSample[]): Comparison {
  const finite = (part: SoakSample[]) => part.map((s) => s.liveHeapBytes).filter(Number.isFinite);
  const inQ2 = finite(q2);
  const after = finite(samples.slice(samples.indexOf(q2[0] as SoakSample)));
  return { reference: inQ2.length > 0 ? median(inQ2) : (after[0] ?? Number.NaN), last: median(finite(q4)) };
}

export function flatness(samples: SoakSample[]): Flatness {
  const [q2, q4] = quarters(samples);
  const values = (part: SoakSample[], key: Level) => part.map((s) => s[key]).filter(Number.isFinite);
  const level = (key: Level): Comparison => ({ reference: median(values(q2, key)), last: median(values(q4, key)) });
  const rate = (counter: 'slotsMissed' | 'probes'): Comparison => ({ reference: median(rates(q2, counter)), last: median(rates(q4, counter)) });
  return {
    rssBytes: level('rssBytes'),
    heapUsedBytes: level('heapUsedBytes'),
    liveHeapBytes: liveHeap(samples, q2, q4),
    fds: level('fds'),
    timers: level('timers'),
    fdsAtRest: { reference: median(q2.map((s) => atRest(s, 'fds', 1))), last: median(q4.map((s) => atRest(s, 'fds', 1))) },
    timersAtRest: { reference: median(q2.map((s) => atRest(s, 'timers', 3))), last: median(q4.map((s) => atRest(s, 'timers', 3))) },
    lagSeconds: level('lagSeconds'),
    slotsMissedRate: rate('slotsMissed'),
    probeRate: rate('probes'),
    cpuPerProbe: { reference: median(cpuPerProbe(q2)), last: median(cpuPerProbe(q4)) },
    maxScrapeMs: Math.max(...samples.map((s) => s.scrapeMs)),
  };
}

export function describeFlatness(f: Flatness): string {
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)}MiB`;
  const pair = (c: Comparison, fmt: (v: number) => string) => `${fmt(c.reference)} -> ${fmt(c.last)}`;
  return [
    `rss ${pair(f.rssBytes, mib)}`,
    `heap ${pair(f.heapUsedBytes, mib)}`,
    `live heap ${pair(f.liveHeapBytes, mib)}`,
    `fds ${pair(f.fds, String)} (at rest ${pair(f.fdsAtRest, String)})`,
    `timers ${pair(f.timers, String)} (at rest ${pair(f.timersAtRest, String)})`,
    `lag ${pair(f.lagSeconds, (v) => `${(v * 1000).toFixed(1)}ms`)}`,
    `slot misses ${pair(f.slotsMissedRate, (v) => `${v.toFixed(2)}/s`)}`,
    `probes ${pair(f.probeRate, (v) => `${v.toFixed(1)}/s`)}`,
    `cpu per probe ${pair(f.cpuPerProbe, (v) => `${(v * 1000).toFixed(2)}ms`)}`,
    `slowest scrape ${f.maxScrapeMs.toFixed(0)}ms`,
  ].join(', ');
}

export interface SoakCheck {
  name: string;
  /** True when flat enough. Tolerances: noise of a loaded 2-core machine passes, a leak does not. */
  pass(f: Flatness): boolean;
}

const within = (c: Comparison, factor: number, slack = 0) => c.last <= c.reference * factor + slack;

/**
 * The verdicts of a soak, shared by the CI test and `npm run soak`. A socket or timer per
 * probe adds thousands over a minute; 8 kB kept per probe adds over 20 MiB; work growing with
 * history raises the CPU per probe. Lag, slot misses and the probe rate also move with other
 * load on the machine (the soak runs beside the rest of the suite), so their tolerances are
 * wider: the CPU-per-probe check is the one that catches work growing over time.
 */
export const SOAK_CHECKS: SoakCheck[] = [
  // The store's per-target history (120 points) is still filling during a short run: + 4 MiB.
  { name: 'live heap within 10 % (+4 MiB) of the second quarter', pass: (f) => within(f.liveHeapBytes, 1.1, 4 * 2 ** 20) },
  // RSS follows V8 sizing its heap (still growing in the first minutes): a coarse bound.
  { name: 'RSS within 35 % of the second quarter', pass: (f) => within(f.rssBytes, 1.35) },
  { name: 'open descriptors beyond the probes in flight within 25 % (+15)', pass: (f) => within(f.fdsAtRest, 1.25, 15) },
  { name: 'timers beyond the probes in flight within 25 % (+10)', pass: (f) => within(f.timersAtRest, 1.25, 10) },
  { name: 'CPU per probe within 50 %', pass: (f) => within(f.cpuPerProbe, 1.5) },
  { name: 'event-loop lag at most 3 times (or +500 ms)', pass: (f) => f.lagSeconds.last <= Math.max(f.lagSeconds.reference * 3, f.lagSeconds.reference + 0.5) },
  { name: 'slot misses at most twice the rate (+10 % of probes)', pass: (f) => within(f.slotsMissedRate, 2, f.probeRate.reference * 0.1) },
  { name: 'probe rate kept (at least half, over 30/s)', pass: (f) => f.probeRate.reference > 30 && f.probeRate.last >= f.probeRate.reference * 0.5 },
];

export function soakVerdicts(f: Flatness): { name: string; pass: boolean }[] {
  return SOAK_CHECKS.map((c) => ({ name: c.name, pass: c.pass(f) }));
}
