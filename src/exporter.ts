/**
 * The running exporter: config, metrics, result store and scheduler, and the reload that
 * swaps config without losing history. Wiring only; each part lives in its own folder.
 */
import { ConfigError, loadConfigFile, loadDefaultConfig, type LoadedConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { buildTargets, type ScheduledTarget } from './config/targets.js';
import { Diagnostics } from './diagnostics/state.js';
import { ExporterDiscovery } from './endpoints/discovery.js';
import { DiscoveryMetrics } from './metrics/discovery-metrics.js';
import { DiagnosticsMetrics } from './metrics/diagnostics-metrics.js';
import { ExporterMetrics } from './metrics/exporter-metrics.js';
import { ProbeMetrics } from './metrics/probe-metrics.js';
import { ThreadMetrics } from './metrics/thread-metrics.js';
import { createRegistries, setConstantLabels, type Registries } from './metrics/registries.js';
import { UdpMetrics } from './metrics/udp-metrics.js';
import { ResultStore, type ResultObserver } from './scheduler/results.js';
import { Scheduler, type RunProbe } from './scheduler/scheduler.js';
import { WorkerPool } from './scheduler/worker-pool.js';
import { silentLogger, type Logger } from './util/log.js';

export interface ExporterOptions {
  configFile?: string;
  logger?: Logger;
  runProbe?: RunProbe;
  /** Data directory (--storage.path): endpoint list cache and ClientRequestId. Default ./data. */
  storagePath?: string;
  /** Per request to the endpoint web service (tests shorten it). */
  discoveryFetchTimeoutMs?: number;
}

export type ReloadOutcome = { ok: true } | { ok: false; error: string };

export class Exporter {
  readonly registries: Registries;
  readonly store = new ResultStore();
  readonly metrics: ExporterMetrics;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Front door, TLS interception, resolver identity, network score (config `location`, `diagnostics`). */
  readonly diagnostics: Diagnostics;
  /** Microsoft 365 endpoint discovery (config `discovery:`); idle when not configured. */
  readonly discovery: ExporterDiscovery;
  /** Runs every probe, scheduled and /probe: the given runProbe, or the probe threads (on this thread when 0). */
  readonly runProbe: RunProbe;
  /** Probe worker threads (config `scheduler.probe_threads`); absent when a runProbe was given. */
  readonly workers?: WorkerPool;
  /** Targets by where they come from ("config", "discovery"); config wins on a name clash. */
  private readonly sources = new Map<ScheduledTarget['source'], ScheduledTarget[]>();
  private loaded: LoadedConfig;
  private lastReload: Promise<unknown> = Promise.resolve();
  private queuedReload: Promise<ReloadOutcome> | undefined;

  private constructor(loaded: LoadedConfig, private readonly options: ExporterOptions) {
    this.loaded = loaded;
    this.logger = options.logger ?? silentLogger;
    this.registries = createRegistries();
    this.metrics = new ExporterMetrics(this.registries);
    this.diagnostics = new Diagnostics(this.logger);
    new DiagnosticsMetrics(this.registries, this.store, this.diagnostics);
    const threadMetrics = new ThreadMetrics(this.registries, () => this.workers);
    if (options.runProbe) this.runProbe = options.runProbe;
    else {
      this.workers = new WorkerPool(0, this.logger, { threadRestarted: () => threadMetrics.threadRestarted() });
      this.runProbe = this.workers.run;
    }
    const observers: ResultObserver[] = [this.store, new ProbeMetrics(this.registries, this.store), new UdpMetrics(this.registries.all, this.store), this.diagnostics, this.metrics];
    this.scheduler = new Scheduler(this.runProbe, observers, loaded.config.scheduler.max_concurrency, {
      slotMissed: (t) => this.metrics.slotMissed(t),
      inFlightChanged: (n) => this.metrics.inFlight.set(n),
    });
    const discoveryMetrics = new DiscoveryMetrics(this.registries, { view: () => this.discovery.view(), publishedRanges: (t) => this.discovery.publishedRanges(t) }, this.store);
    this.discovery = new ExporterDiscovery({
      storagePath: options.storagePath ?? './data',
      logger: this.logger,
      fetchTimeoutMs: options.discoveryFetchTimeoutMs,
      setTargets: (targets) => this.setTargets('discovery', targets),
      activeChanged: (active) => discoveryMetrics.setActive(active),
    });
  }

  /** Loads the config (file or embedded default) and starts probing; throws ConfigError if invalid. */
  static async start(options: ExporterOptions): Promise<Exporter> {
    const loaded = await readConfig(options.configFile);
    const exporter = new Exporter(loaded, options);
    await exporter.apply(loaded);
    return exporter;
  }

  get config(): Config {
    return this.loaded.config;
  }

  get configSource(): LoadedConfig {
    return this.loaded;
  }

  /**
   * Re-reads the config file; an invalid one keeps the running config. Reloads run one at a
   * time (two interleaved applies could leave the older file in force), and requests made
   * while one runs share a single follow-up reload, which reads the file as it is by then.
   */
  reload(): Promise<ReloadOutcome> {
    if (this.queuedReload) return this.queuedReload;
    const queued = this.lastReload.then(() => {
      this.queuedReload = undefined;
      return this.reloadNow();
    });
    this.queuedReload = queued;
    this.lastReload = queued;
    return queued;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    try {
      const loaded = await readConfig(this.options.configFile);
      await this.apply(loaded);
      this.logger.info('config reloaded', { source: loaded.source, targets: this.scheduler.targets.length });
      return { ok: true };
    } catch (err) {
      this.metrics.configLoaded(false);
      const error = err instanceof ConfigError ? err.message : String(err);
      this.logger.error('config reload failed, keeping the running config', { error });
      return { ok: false, error };
    }
  }

  /** Replaces the targets of one source (e.g. discovery) and reschedules. */
  setTargets(source: ScheduledTarget['source'], targets: ScheduledTarget[]): void {
    this.sources.set(source, targets);
    this.schedule();
  }

  async stop(): Promise<void> {
    await this.diagnostics.stop();
    await this.discovery.stop();
    await this.scheduler.stop();
    await this.workers?.close();
  }

  private async apply(loaded: LoadedConfig): Promise<void> {
    const configTargets = await buildTargets(loaded.config);
    this.loaded = loaded;
    setConstantLabels(this.registries, loaded.config.labels);
    this.scheduler.setMaxConcurrency(loaded.config.scheduler.max_concurrency);
    await this.workers?.resize(loaded.config.scheduler.probe_threads);
    this.sources.set('config', configTargets);
    this.diagnostics.apply(loaded.config);
    this.schedule();
    await this.discovery.apply(loaded.config);
    this.metrics.configLoaded(true);
  }

  private schedule(): void {
    const configured = this.sources.get('config') ?? [];
    const names = new Set(configured.map((t) => t.name));
    const discovered = (this.sources.get('discovery') ?? []).filter((t) => !names.has(t.name));
    for (const t of [...configured, ...discovered]) this.store.track(t);
    this.scheduler.setTargets([...configured, ...discovered]);
    this.metrics.targets.set({ source: 'config' }, configured.length);
    this.metrics.targets.set({ source: 'discovery' }, discovered.length);
  }
}

async function readConfig(file: string | undefined): Promise<LoadedConfig> {
  return file ? loadConfigFile(file) : loadDefaultConfig();
}
