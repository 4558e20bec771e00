/**
 * Scheduled mode at site sizes: this exporter alone with N local HTTPS targets at a fixed
 * interval. Samples RSS every second and scrapes /metrics (time, size) as Prometheus would;
 * CPU and counters are read at each good scrape, and the steady window runs from the first
 * scrape after one interval (the start-up round fires every target at once) to the last.
 */
import { o365Config } from '../lib/configs.js';
import { scrape, startO365 } from '../lib/exporters.js';
import { sum, value, type Sample } from '../lib/prom-text.js';
import { cpuSeconds, machineCpuSeconds, memory, sleep } from '../lib/procs.js';
import { median, slope } from '../lib/stats.js';
import type { BenchEnv } from './env.js';

export interface ScheduledOptions {
  sizes: number[];
  seconds: number;
  intervalSeconds: number;
  scrapeEverySeconds: number;
}

export interface ScheduledSample {
  t: number;
  rssBytes: number;
}

/** One /metrics scrape in the steady window, as Prometheus would make it. */
export interface ScheduledScrape {
  t: number;
  seconds: number;
  bytes: number;
  heapUsedBytes: number;
  /** Set when the scrape failed (timeout after 30 s, connection error, non-200). */
  error?: string;
}

export interface ScheduledResult {
  targets: number;
  intervalSeconds: number;
  seconds: number;
  steadyFromSeconds: number;
  /** Percent of one core over the steady window. */
  cpuPercent: number;
  /** Local HTTPS peer's CPU over the same window (the other side of every probe). */
  peerCpuPercent: number;
  machineCpuPercent: number;
  /** CPU stolen by the hypervisor over the steady window, % of one core (absent before 2026-12-03). */
  machineStealPercent?: number;
  rssStartBytes: number;
  rssEndBytes: number;
  rssMaxBytes: number;
  /** Least-squares RSS growth over the steady window. */
  rssSlopeMiBPerMin: number;
  metricsMedianSeconds: number;
  metricsMaxSeconds: number;
  metricsBytes: number;
  failedScrapes: number;
  probesPerSecond: number;
  /** Probes made in the steady window over those its slots asked for. */
  onTimeRatio: number;
  failures: number;
  /** Slots skipped in the steady window because the target's previous probe still ran. */
  slotsMissed: number;
  /** Including the start-up round. */
  slotsMissedTotal: number;
  /**
   * The connect phases of the steady window (every target is on loopback, where a connect
   * takes ~0.1 ms): how many were reported over 10 ms and over 50 ms (timed late: the loop
   * that timed them was busy), and the bucket bound of their p99, seconds.
   */
  connects?: { count: number; over10ms: number; over50ms: number; p99AtMostSeconds: number };
  /** The exporter died during the run (with the end of its output). */
  error?: string;
  samples: ScheduledSample[];
  scrapes: ScheduledScrape[];
}

const FAILURES = 'o365_probe_failures_total';
const MISSED = 'o365_exporter_probe_slots_missed_total';
const HEAP = 'nodejs_heap_size_used_bytes';
const PHASE_BUCKET = 'o365_probe_phase_duration_seconds_bucket';
const READ = ['o365_probes_total', FAILURES, MISSED, HEAP, PHASE_BUCKET];

/** Counters read at one successful scrape; the steady window runs from the first to the last. */
export interface Mark {
  t: number;
  cpu: number;
  peer: number;
  machine: number;
  steal: number;
  probes: number;
  failures: number;
  missed: number;
  /** Cumulative connect-phase counts by bucket bound (le), all targets together. */
  connectBuckets: Map<number, number>;
}

export function connectBuckets(samples: Sample[]): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const s of samples) {
    if (s.name !== PHASE_BUCKET || s.labels.phase !== 'connect') continue;
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    buckets.set(le, (buckets.get(le) ?? 0) + s.value);
  }
  return buckets;
}

/** Connects counted between two marks: totals over 10 and 50 ms and the bound of the p99 bucket. */
export function connectsBetween(first: Pick<Mark, 'connectBuckets'>, last: Pick<Mark, 'connectBuckets'>): ScheduledResult['connects'] {
  const les = [...last.connectBuckets.keys()].sort((a, b) => a - b);
  const within = (le: number) => (last.connectBuckets.get(le) ?? 0) - (first.connectBuckets.get(le) ?? 0);
  const count = within(Infinity);
  if (!(count > 0)) return undefined;
  const p99AtMostSeconds = les.find((le) => within(le) >= 0.99 * count) ?? Infinity;
  return { count, over10ms: count - within(0.01), over50ms: count - within(0.05), p99AtMostSeconds };
}

async function runSize(env: BenchEnv, targets: number, o: ScheduledOptions): Promise<ScheduledResult> {
  const exporter = await startO365(env.lab, o365Config({ caFile: env.certs.caFile, targets, intervalSeconds: o.intervalSeconds, probeThreads: env.probeThreads }), env.certs.caFile, { node: env.exporterNode });
  const pid = exporter.proc.pid;
  env.log(`scheduled ${targets} targets: exporter up, measuring for ${o.seconds} s`);
  const t0 = Date.now();
  const elapsed = () => (Date.now() - t0) / 1000;
  const until = (t: number) => sleep(Math.max(0, t * 1000 - (Date.now() - t0)));
  const samples: ScheduledSample[] = [];
  const scrapes: ScheduledScrape[] = [];
  const marks: Mark[] = [];
  let error: string | undefined;
  // A timer of its own: a slow /metrics must not leave holes in the RSS series.
  const sampler = setInterval(() => {
    if (exporter.proc.child.exitCode === null) samples.push({ t: elapsed(), rssBytes: memory(pid).rss });
  }, 1000);
  try {
    for (let next = Math.min(o.intervalSeconds, o.seconds / 2); next <= o.seconds; next += o.scrapeEverySeconds) {
      await until(next);
      const s = await scrape(exporter, READ);
      const t = elapsed();
      scrapes.push({ t, seconds: s.seconds, bytes: s.bytes, heapUsedBytes: value(s.samples, HEAP) ?? NaN, ...(s.error ? { error: s.error } : {}) });
      if (exporter.proc.child.exitCode !== null) {
        error = `exporter exited (${exporter.proc.child.exitCode}): ${exporter.proc.output().slice(-600)}`;
        break;
      }
      if (s.error) continue;
      const c = (name: string) => sum(s.samples, name);
      const machine = machineCpuSeconds();
      marks.push({ t, cpu: cpuSeconds(pid), peer: cpuSeconds(env.local.pid), machine: machine.busy, steal: machine.steal, probes: c('o365_probes_total'), failures: c(FAILURES), missed: c(MISSED), connectBuckets: connectBuckets(s.samples) });
    }
  } finally {
    clearInterval(sampler);
    await exporter.stop();
  }
  return summarize(targets, o, samples, scrapes, marks, error);
}

function summarize(targets: number, o: ScheduledOptions, samples: ScheduledSample[], scrapes: ScheduledScrape[], marks: Mark[], error: string | undefined): ScheduledResult {
  const first = marks[0];
  const last = marks.at(-1);
  const window = first && last ? last.t - first.t : NaN;
  const rate = (pick: (m: Mark) => number) => (first && last && window > 0 ? (pick(last) - pick(first)) / window : NaN);
  const steadySamples = samples.filter((s) => s.t >= (first?.t ?? Infinity));
  const ok = scrapes.filter((s) => !s.error);
  const probesPerSecond = rate((m) => m.probes);
  return {
    targets,
    intervalSeconds: o.intervalSeconds,
    seconds: samples.at(-1)?.t ?? 0,
    steadyFromSeconds: first?.t ?? NaN,
    cpuPercent: rate((m) => m.cpu) * 100,
    peerCpuPercent: rate((m) => m.peer) * 100,
    machineCpuPercent: rate((m) => m.machine) * 100,
    machineStealPercent: rate((m) => m.steal) * 100,
    rssStartBytes: steadySamples[0]?.rssBytes ?? NaN,
    rssEndBytes: samples.at(-1)?.rssBytes ?? NaN,
    rssMaxBytes: samples.length ? Math.max(...samples.map((s) => s.rssBytes)) : NaN,
    rssSlopeMiBPerMin: (slope(steadySamples.map((s) => s.t), steadySamples.map((s) => s.rssBytes)) * 60) / 2 ** 20,
    metricsMedianSeconds: median(ok.map((s) => s.seconds)),
    metricsMaxSeconds: ok.length ? Math.max(...ok.map((s) => s.seconds)) : NaN,
    metricsBytes: ok.at(-1)?.bytes ?? NaN,
    failedScrapes: scrapes.length - ok.length,
    probesPerSecond,
    onTimeRatio: (probesPerSecond * o.intervalSeconds) / targets,
    failures: first && last ? last.failures - first.failures : NaN,
    slotsMissed: first && last ? last.missed - first.missed : NaN,
    slotsMissedTotal: last?.missed ?? NaN,
    ...(first && last ? { connects: connectsBetween(first, last) } : {}),
    ...(error ? { error } : {}),
    samples,
    scrapes,
  };
}

/** Appends to `results` as each size finishes, so a run stopped midway keeps what it measured. */
export async function runScheduled(env: BenchEnv, o: ScheduledOptions, results: ScheduledResult[] = []): Promise<ScheduledResult[]> {
  for (const targets of o.sizes) {
    const r = await runSize(env, targets, o);
    results.push(r);
    if (r.error) env.log(`scheduled ${targets} targets: ${r.error}`);
    env.log(`scheduled ${targets} targets: CPU ${r.cpuPercent.toFixed(1)} %, RSS ${(r.rssEndBytes / 2 ** 20).toFixed(0)} MiB, /metrics ${(r.metricsMedianSeconds * 1000).toFixed(0)} ms ${(r.metricsBytes / 1e6).toFixed(1)} MB, missed ${r.slotsMissed}`);
  }
  return results;
}
