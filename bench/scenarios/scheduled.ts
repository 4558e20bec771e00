/**
 * Scheduled mode at site sizes: this exporter alone with N local HTTPS targets at a fixed
 * interval. Samples CPU and RSS every second and scrapes /metrics (time, size) as
 * Prometheus would; the steady window starts after the first interval (the start-up round).
 */
import { o365Config } from '../lib/configs.js';
import { scrape, startO365 } from '../lib/exporters.js';
import { sum, value } from '../lib/prom-text.js';
import { cpuSeconds, machineBusySeconds, memory, sleep } from '../lib/procs.js';
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
  rssStartBytes: number;
  rssEndBytes: number;
  rssMaxBytes: number;
  /** Least-squares RSS growth over the steady window. */
  rssSlopeMiBPerMin: number;
  metricsMedianSeconds: number;
  metricsMaxSeconds: number;
  metricsBytes: number;
  probesPerSecond: number;
  /** Probes made in the steady window over those its slots asked for. */
  onTimeRatio: number;
  failures: number;
  /** Slots skipped in the steady window because the target's previous probe still ran. */
  slotsMissed: number;
  /** Including the start-up round. */
  slotsMissedTotal: number;
  samples: ScheduledSample[];
  scrapes: ScheduledScrape[];
}

const FAILURES = 'o365_probe_failures_total';
const MISSED = 'o365_exporter_probe_slots_missed_total';

async function runSize(env: BenchEnv, targets: number, o: ScheduledOptions): Promise<ScheduledResult> {
  const exporter = await startO365(env.lab, o365Config({ caFile: env.certs.caFile, targets, intervalSeconds: o.intervalSeconds }), env.certs.caFile);
  try {
    const pid = exporter.proc.pid;
    const t0 = Date.now();
    const elapsed = () => (Date.now() - t0) / 1000;
    const until = (t: number) => sleep(Math.max(0, t * 1000 - (Date.now() - t0)));
    const steadyFrom = Math.min(o.intervalSeconds, o.seconds / 2);
    const samples: ScheduledSample[] = [];
    const scrapes: ScheduledScrape[] = [];
    // A timer of its own: a slow /metrics must not leave holes in the RSS series.
    const sampler = setInterval(() => samples.push({ t: elapsed(), rssBytes: memory(pid).rss }), 1000);
    let steady: { cpu: number; peer: number; machine: number; probes: number; failures: number; missed: number; t: number };
    let end: Awaited<ReturnType<typeof scrape>>;
    try {
      await until(steadyFrom);
      const first = await scrape(exporter);
      steady = { cpu: cpuSeconds(pid), peer: cpuSeconds(env.local.pid), machine: machineBusySeconds(), probes: sum(first.samples, 'o365_probes_total'), failures: sum(first.samples, FAILURES), missed: sum(first.samples, MISSED), t: elapsed() };
      scrapes.push({ t: steady.t, seconds: first.seconds, bytes: first.bytes, heapUsedBytes: value(first.samples, 'nodejs_heap_size_used_bytes') ?? NaN });
      for (let next = steady.t + o.scrapeEverySeconds; next < o.seconds; next += o.scrapeEverySeconds) {
        await until(next);
        const s = await scrape(exporter);
        scrapes.push({ t: elapsed(), seconds: s.seconds, bytes: s.bytes, heapUsedBytes: value(s.samples, 'nodejs_heap_size_used_bytes') ?? NaN });
      }
      await until(o.seconds);
      end = await scrape(exporter);
      scrapes.push({ t: elapsed(), seconds: end.seconds, bytes: end.bytes, heapUsedBytes: value(end.samples, 'nodejs_heap_size_used_bytes') ?? NaN });
    } finally {
      clearInterval(sampler);
    }
    const window = elapsed() - steady.t;
    const pct = (now: number, then: number) => ((now - then) / window) * 100;
    const steadySamples = samples.filter((s) => s.t >= steady.t);
    const probes = sum(end.samples, 'o365_probes_total') - steady.probes;
    const mib = 1024 * 1024;
    return {
      targets,
      intervalSeconds: o.intervalSeconds,
      seconds: elapsed(),
      steadyFromSeconds: steady.t,
      cpuPercent: pct(cpuSeconds(pid), steady.cpu),
      peerCpuPercent: pct(cpuSeconds(env.local.pid), steady.peer),
      machineCpuPercent: pct(machineBusySeconds(), steady.machine),
      rssStartBytes: steadySamples[0]?.rssBytes ?? NaN,
      rssEndBytes: samples.at(-1)?.rssBytes ?? NaN,
      rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
      rssSlopeMiBPerMin: (slope(steadySamples.map((s) => s.t), steadySamples.map((s) => s.rssBytes)) * 60) / mib,
      metricsMedianSeconds: median(scrapes.map((s) => s.seconds)),
      metricsMaxSeconds: Math.max(...scrapes.map((s) => s.seconds)),
      metricsBytes: end.bytes,
      probesPerSecond: probes / window,
      onTimeRatio: probes / ((targets * window) / o.intervalSeconds),
      failures: sum(end.samples, FAILURES) - steady.failures,
      slotsMissed: sum(end.samples, MISSED) - steady.missed,
      slotsMissedTotal: sum(end.samples, MISSED),
      samples,
      scrapes,
    };
  } finally {
    await exporter.stop();
  }
}

/** Appends to `results` as each size finishes, so a run stopped midway keeps what it measured. */
export async function runScheduled(env: BenchEnv, o: ScheduledOptions, results: ScheduledResult[] = []): Promise<ScheduledResult[]> {
  for (const targets of o.sizes) {
    const r = await runSize(env, targets, o);
    results.push(r);
    env.log(`scheduled ${targets} targets: CPU ${r.cpuPercent.toFixed(1)} %, RSS ${(r.rssEndBytes / 2 ** 20).toFixed(0)} MiB, /metrics ${(r.metricsMedianSeconds * 1000).toFixed(0)} ms ${(r.metricsBytes / 1e6).toFixed(1)} MB, missed ${r.slotsMissed}`);
  }
  return results;
}
