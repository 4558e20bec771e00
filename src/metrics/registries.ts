/**
 * Two explicit registries holding the same metric objects: one renders the Prometheus
 * text format, the other OpenMetrics (prom-client fixes the format per registry).
 * Never the global registry.
 */
import { Registry, collectDefaultMetrics, type OpenMetricsContentType, type PrometheusContentType } from 'prom-client';
import { chunksToBuffer, chunksToString } from './chunks.js';
import { gzipChunks } from './gzip-chunks.js';
import type { Chunk, ExpositionSource } from './exposition.js';
import { EVENT_LOOP_SAMPLING_MS } from '../util/event-loop.js';

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

export { EVENT_LOOP_SAMPLING_MS };

const MISNAMED_DEFAULT_GAUGES = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createRegistries(options: { defaultMetrics?: boolean } = {}): Registries {
  const prometheus = new Registry();
  const openMetrics = new Registry<OpenMetricsContentType>();
  openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  if (options.defaultMetrics ?? true) {
    // nodejs_eventloop_lag_* count the sampling interval in (see util/event-loop.ts).
    collectDefaultMetrics({ register: prometheus, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLING_MS });
    // Gauges named *_total break the counter convention (promtool complains); they only
    // sum nodejs_active_{handles,requests,resources}{type}, which stay.
    for (const name of MISNAMED_DEFAULT_GAUGES) prometheus.removeSingleMetric(name);
    // The same objects in both registries: a second collectDefaultMetrics() would run a
    // second event-loop timer and GC observer.
    for (const { name } of prometheus.getMetricsAsArray()) {
      const metric = prometheus.getSingleMetric(name);
      if (metric) openMetrics.registerMetric(metric);
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

export interface RenderedMetricsBytes {
  body: Buffer;
  contentType: string;
}

const renderQueues = new WeakMap<Registries, Promise<void>>();
const noop = (): void => undefined;

/**
 * Renders /metrics in one format, as chunks of text and bytes. prom-client drops `_total`
 * from the names of the (shared) counter objects while rendering OpenMetrics and never puts
 * it back, which turned every later Prometheus-format scrape's counters into
 * `o365_probes{...}`. So renders run one at a time and counter names are restored after
 * each OpenMetrics render.
 */
function renderChunks(registries: Registries, openMetrics: boolean): Promise<{ chunks: Chunk[]; contentType: string }> {
  const run = async () => {
    const registry = openMetrics ? registries.openMetrics : registries.prometheus;
    const counters = registry
      .getMetricsAsArray()
      .filter((m) => String(m.type) === 'counter')
      .map((m) => [m, m.name] as const);
    try {
      return { chunks: withSources(await registry.metrics(), registries, openMetrics), contentType: registry.contentType };
    } finally {
      for (const [metric, name] of counters) metric.name = name;
    }
  };
  const rendered = (renderQueues.get(registries) ?? Promise.resolve()).then(run, run);
  // Only the order is kept: holding `rendered` itself would keep the last body (~7 MB at
  // 5,000 targets) alive until the next scrape.
  renderQueues.set(registries, rendered.then(noop, noop));
  return rendered;
}

/** The body as text (tests, tools). */
export async function renderMetrics(registries: Registries, openMetrics: boolean): Promise<RenderedMetrics> {
  const { chunks, contentType } = await renderChunks(registries, openMetrics);
  return { body: chunksToString(chunks), contentType };
}

/** The body as UTF-8 bytes, what /metrics sends: the cached per-target bytes are copied, not re-encoded. */
export async function renderMetricsBytes(registries: Registries, openMetrics: boolean): Promise<RenderedMetricsBytes> {
  const { chunks, contentType } = await renderChunks(registries, openMetrics);
  return { body: chunksToBuffer(chunks), contentType };
}

/**
 * The body gzipped, what /metrics sends when the scraper accepts gzip (Prometheus always
 * does): cached per-target lines go in as deflated when they changed, so only prom-client's
 * text and the headers are compressed here, on the event loop (~40 KB at 5,000 targets).
 */
export async function renderMetricsGzip(registries: Registries, openMetrics: boolean): Promise<RenderedMetricsBytes> {
  const { chunks, contentType } = await renderChunks(registries, openMetrics);
  return { body: gzipChunks(chunks), contentType };
}

/**
 * prom-client's text, then each source's families. OpenMetrics allows one `# EOF`, last:
 * prom-client's is moved to the end.
 */
function withSources(promClient: string, registries: Registries, openMetrics: boolean): Chunk[] {
  if (registries.sources.length === 0) return [promClient];
  const head = openMetrics ? promClient.replace(/# EOF\n$/, '') : promClient;
  // An empty registry renders a lone "\n": OpenMetrics has no blank lines.
  const chunks: Chunk[] = [head.trim() === '' ? '' : head];
  for (const source of registries.sources) source.renderInto(chunks, openMetrics, registries.constantLabels);
  if (openMetrics) chunks.push('# EOF\n');
  return chunks;
}
