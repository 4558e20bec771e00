/**
 * Two explicit registries holding the same metric objects: one renders the Prometheus
 * text format, the other OpenMetrics (prom-client fixes the format per registry).
 * Never the global registry.
 */
import { Registry, collectDefaultMetrics, type OpenMetricsContentType, type PrometheusContentType } from 'prom-client';

export interface Registries {
  prometheus: Registry<PrometheusContentType>;
  openMetrics: Registry<OpenMetricsContentType>;
  /** Pass as `registers` when creating a metric. */
  all: Registry[];
}

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createRegistries(options: { defaultMetrics?: boolean } = {}): Registries {
  const prometheus = new Registry();
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  if (options.defaultMetrics ?? true) {
    for (const registry of [prometheus, openMetrics as unknown as Registry]) {
      collectDefaultMetrics({ register: registry });
      // Gauges named *_total break the counter convention (promtool complains); they only
      // sum nodejs_active_{handles,requests,resources}{type}, which stay.
      for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
    }
  }
  return { prometheus, openMetrics, all: [prometheus, openMetrics as unknown as Registry] };
}

export function setConstantLabels(registries: Registries, labels: Record<string, string>): void {
  for (const registry of registries.all) registry.setDefaultLabels(labels);
}

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept?.includes('application/openmetrics-text') ?? false;
}
