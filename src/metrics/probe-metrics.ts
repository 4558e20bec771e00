/**
 * The core probe series. Per-target families (success, durations, phases, HTTP, TLS, DNS,
 * probe and failure counters) are rendered by hand from the ResultStore at scrape time
 * (probe-series.ts), so a removed target's series vanish with it. The phase histogram has
 * no target label: its series count follows services and paths, not targets (19 buckets x
 * phases x targets was most of a 67 MB scrape at 5,000 targets); per-target percentiles come
 * from o365_probe_phase_seconds (recording rules with quantile_over_time).
 */
import { Histogram } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver, ResultStore } from '../scheduler/results.js';
import { ProbeSeries } from './probe-series.js';
import type { Registries } from './registries.js';
import { SharedSeries } from './shared-series.js';

/** From 1 ms (LAN) to 10 s (a timeout), dense where WAN latency to a front door lives. */
export const PHASE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10];

/** Labels of o365_probe_phase_duration_seconds (with the config's constant labels). */
export const PHASE_HISTOGRAM_LABELS = ['service', 'category', 'path', 'phase'] as const;

export class ProbeMetrics implements ResultObserver {
  private readonly phaseHistogram: Histogram<string>;
  private readonly histogramSeries: SharedSeries;
  private readonly series: ProbeSeries;

  constructor(registries: Registries, store: ResultStore) {
    this.phaseHistogram = new Histogram({
      name: 'o365_probe_phase_duration_seconds',
      help: 'Duration of each probe phase, all targets of a service, category and path together.',
      labelNames: [...PHASE_HISTOGRAM_LABELS],
      buckets: PHASE_BUCKETS,
      registers: registries.all,
    });
    this.histogramSeries = new SharedSeries(this.phaseHistogram);
    this.series = new ProbeSeries(store, () => registries.constantLabels);
    registries.sources.push(this.series);
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    this.series.observe(target, result);
    for (const [phase, seconds] of Object.entries(result.phases)) {
      if (typeof seconds !== 'number') continue;
      const labels = { service: target.service, category: target.category, path: target.path, phase };
      this.phaseHistogram.observe(labels, seconds);
      this.histogramSeries.add(target.key, labels);
    }
  }

  forget(target: ScheduledTarget): void {
    this.series.forget(target);
    this.histogramSeries.remove(target.key);
  }
}
