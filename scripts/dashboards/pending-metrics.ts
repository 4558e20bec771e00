/**
 * Metric names that dashboards and rules already use but the exporter does not export yet
 * (panels and rules written ahead of the metric, as they were for issues #3 and #4).
 *
 * How this list is used (test/dashboards/metric-names.test.ts):
 * - a name used by a panel or rule must be in the exporter's /metrics output, be recorded by
 *   rules/recording.yml, be one of Prometheus' own series, or be listed here;
 * - a name listed here that now appears in src/ fails the test: the metric landed, so remove
 *   it from this list and the live test will demand real series for its panels;
 * - a name listed here that no panel or rule uses fails the test too (a stale entry);
 * - panels whose queries use a pending name are expected to return nothing in the live test,
 *   and rules that use one live in rule groups whose name ends in "-pending".
 */
export interface PendingMetric {
  name: string;
  /** The issue that adds it. */
  issue: number;
  /** The series name(s) Prometheus sees: a histogram adds _bucket, _sum, _count. */
  histogram?: boolean;
}

export const PENDING_METRICS: readonly PendingMetric[] = [
  // Empty: the discovery (#3) and diagnostics (#4) metrics have landed. Add a name here when a
  // panel or rule is written ahead of the metric it uses.
];

/** Every series name a pending metric shows up as in PromQL. */
export function pendingSeriesNames(): Set<string> {
  const names = new Set<string>();
  for (const m of PENDING_METRICS) {
    names.add(m.name);
    if (m.histogram) for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
  }
  return names;
}
