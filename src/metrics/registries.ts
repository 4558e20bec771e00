/**
 * Two explicit registries holding the same metric objects: one renders the Prometheus
 * text format, the other OpenMetrics (prom-client fixes the format per registry).
 * Never the global registry.
 */
import { Registry, collectDefaultMetrics, type OpenMetricsContentType, type PrometheusContentType } from 'prom-client';
import type { ExpositionSource } from './exposition.js';

export interface Registries {
  prometheus: Registry<PrometheusContentType>;
  openMetrics: Registry<OpenMetricsContentType>;
  /** Pass as `registers` when creating a metric. */
  all: Registry[];
  /** Families rendered by hand (per-target series), appended after prom-client's. */
  sources: ExpositionSource[];
  /** The config `labels:` prom-client adds to every series; sources add them too. */
  constantLabels: Record<string, string>;
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
  return { prometheus, openMetrics, all: [prometheus, openMetrics as unknown as Registry], sources: [], constantLabels: {} };
}

export function setConstantLabels(registries: Registries, labels: Record<string, string>): void {
  for (const registry of registries.all) registry.setDefaultLabels(labels);
  registries.constantLabels = { ...labels };
}

export function wantsOpenMetrics(accept: string | undefined): boolean {
  return accept?.includes('application/openmetrics-text') ?? false;
}

export interface RenderedMetrics {
  body: string;
  contentType: string;
}

const renderQueues = new WeakMap<Registries, Promise<unknown>>();

/**
 * Renders /metrics in one format. prom-client drops `_total` from the names of the
 * (shared) counter objects while rendering OpenMetrics and never puts it back, which
 * turned every later Prometheus-format scrape's counters into `o365_probes{...}`. So
 * renders run one at a time and counter names are restored after each OpenMetrics render.
 */
export function renderMetrics(registries: Registries, openMetrics: boolean): Promise<RenderedMetrics> {
  const run = async (): Promise<RenderedMetrics> => {
    const registry = openMetrics ? registries.openMetrics : registries.prometheus;
    const counters = registry
      .getMetricsAsArray()
      .filter((m) => String(m.type) === 'counter')
      .map((m) => [m, m.name] as const);
    try {
      const body = joinSources(await registry.metrics(), registries, openMetrics);
      return { body, contentType: registry.contentType };
    } finally {
      for (const [metric, name] of counters) metric.name = name;
    }
  };
  const rendered = (renderQueues.get(registries) ?? Promise.resolve()).then(run, run);
  renderQueues.set(registries, rendered.catch(() => undefined));
  return rendered;
}

/**
 * prom-client's text, then each source's families. OpenMetrics allows one `# EOF`, last:
 * prom-client's is moved to the end.
 */
function joinSources(promClient: string, registries: Registries, openMetrics: boolean): string {
  if (registries.sources.length === 0) return promClient;
  const head = openMetrics ? promClient.replace(/# EOF\n$/, '') : promClient;
  // An empty registry renders a lone "\n": OpenMetrics has no blank lines.
  const parts = [head.trim() === '' ? '' : head];
  for (const source of registries.sources) source.renderInto(parts, openMetrics, registries.constantLabels);
  if (openMetrics) parts.push('# EOF\n');
  return parts.join('');
}
