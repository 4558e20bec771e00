/**
 * Scheduled mode at site sizes: this exporter alone with N local HTTPS targets at a fixed
 * interval. Samples CPU and RSS every second and scrapes /metrics (time, size) as
 * Prometheus would; the steady window starts after the first interval (the start-up round).
 */
import { o365Config } from '../lib/configs.js';
import { scrape, startO365 } from '../lib/exporters.js';
import { sum } from '../lib/prom-text.js';
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
}

const FAILURES = 'o365_probe_failures_total';
const MISSED = 'o365_exporter_probe_slots_missed_total';

async function runSize(env: BenchEnv, targets: number, o: ScheduledOptions): Promise<ScheduledResult> {
  const exporter = await startO365(env.lab, o365Config({ caFile: env.certs.caFile, targets, intervalSeconds: o.intervalSeconds }), env.certs.caFile);
  try {
    const pid = exporter.proc.pid;
    const t0 = Date.now();
    const elapsed = () => (Date.now() - t0) / 1000;
    const steadyFrom = Math.min(o.intervalSeconds, o.seconds / 2);
    const samples: ScheduledSample[] = [];
    const scrapes: { seconds: number; bytes: number }[] = [];
    let steady: { cpu: number; peer: number; machine: number; probes: number; failures: number; missed: number; t: number } | undefined;
    let nextScrape = o.scrapeEverySeconds;
    while (elapsed() < o.seconds) {
      await sleep(1000 - ((Date.now() - t0) % 1000));
      samples.push({ t: elapsed(), rssBytes: memory(pid).rss });
      if (!steady && elapsed() >= steadyFrom) {
        const { samples: s } = await scrape(exporter);
        steady = { cpu: cpuSeconds(pid), peer: cpuSeconds(env.local.pid), machine: machineBusySeconds(), probes: sum(s, 'o365_probes_total'), failures: sum(s, FAILURES), missed: sum(s, MISSED), t: elapsed() };
      } else if (steady && elapsed() >= nextScrape) {
        const { seconds, bytes } = await scrape(exporter);
        scrapes.push({ seconds, bytes });
      }
      if (elapsed() >= nextScrape) nextScrape += o.scrapeEverySeconds;
    }
    const end = await scrape(exporter);
    scrapes.push({ seconds: end.seconds, bytes: end.bytes });
    const window = elapsed() - (steady?.t ?? 0);
    const pct = (now: number, then: number) => ((now - then) / window) * 100;
    const steadySamples = samples.filter((s) => s.t >= (steady?.t ?? 0));
    const probes = sum(end.samples, 'o365_probes_total') - (steady?.probes ?? 0);
    const mib = 1024 * 1024;
    return {
      targets,
      intervalSeconds: o.intervalSeconds,
      seconds: elapsed(),
      steadyFromSeconds: steady?.t ?? 0,
      cpuPercent: pct(cpuSeconds(pid), steady?.cpu ?? 0),
      peerCpuPercent: pct(cpuSeconds(env.local.pid), steady?.peer ?? 0),
      machineCpuPercent: pct(machineBusySeconds(), steady?.machine ?? 0),
      rssStartBytes: steadySamples[0]?.rssBytes ?? NaN,
      rssEndBytes: samples.at(-1)?.rssBytes ?? NaN,
      rssMaxBytes: Math.max(...samples.map((s) => s.rssBytes)),
      rssSlopeMiBPerMin: (slope(steadySamples.map((s) => s.t), steadySamples.map((s) => s.rssBytes)) * 60) / mib,
      metricsMedianSeconds: median(scrapes.map((s) => s.seconds)),
      metricsMaxSeconds: Math.max(...scrapes.map((s) => s.seconds)),
      metricsBytes: end.bytes,
      probesPerSecond: probes / window,
      onTimeRatio: probes / ((targets * window) / o.intervalSeconds),
      failures: sum(end.samples, FAILURES) - (steady?.failures ?? 0),
      slotsMissed: sum(end.samples, MISSED) - (steady?.missed ?? 0),
      slotsMissedTotal: sum(end.samples, MISSED),
      samples,
    };
  } finally {
    await exporter.stop();
  }
}

export async function runScheduled(env: BenchEnv, o: ScheduledOptions): Promise<ScheduledResult[]> {
  const results: ScheduledResult[] = [];
  for (const targets of o.sizes) {
    const r = await runSize(env, targets, o);
    results.push(r);
    env.log(`scheduled ${targets} targets: CPU ${r.cpuPercent.toFixed(1)} %, RSS ${(r.rssEndBytes / 2 ** 20).toFixed(0)} MiB, /metrics ${(r.metricsMedianSeconds * 1000).toFixed(0)} ms ${(r.metricsBytes / 1e6).toFixed(1)} MB, missed ${r.slotsMissed}`);
  }
  return results;
}
