/**
 * Discovery inside the running exporter: starts, restarts (config change) and stops the
 * DiscoveryService, turns each new list into ScheduledTargets through the same builder as
 * hand-written targets, and answers the questions metrics ask (state, counts, ranges).
 */
import type { Config } from '../config/schema.js';
import { buildTargets, type ScheduledTarget } from '../config/targets.js';
import { silentLogger, type Logger } from '../util/log.js';
import { CidrSet } from './cidr.js';
import { mapEndpointSets, type Mapping, type MediaSet } from './mapping.js';
import { DiscoveryService, type CheckOutcome, type DiscoveryState } from './service.js';
import { DiscoveryStore } from './store.js';
import type { EndpointList } from './types.js';

export interface ExporterDiscoveryDeps {
  storagePath: string;
  setTargets(targets: ScheduledTarget[]): void;
  /** Discovery started (true) or stopped (false): its series come and go with it. */
  activeChanged?(active: boolean): void;
  logger?: Logger;
  /** Per request to the web service; default 30 s. */
  fetchTimeoutMs?: number;
}

/** What the metrics read at scrape time. */
export interface DiscoveryView {
  state: Readonly<DiscoveryState>;
  mapping?: Mapping;
}

export class ExporterDiscovery {
  private service?: DiscoveryService;
  /** The discovery settings the running service was made with (JSON), to spot a change. */
  private settings?: string;
  private config?: Config;
  private mapping?: Mapping;
  private ranges = new Map<number, CidrSet>();
  /** Host -> endpoint set of its web target, for hand-written targets that probe the same host. */
  private hostSets = new Map<string, number>();
  private rebuilding: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly deps: ExporterDiscoveryDeps) {
    this.logger = deps.logger ?? silentLogger;
  }

  /** Applies a (re)loaded config: start, restart or stop discovery, or rebuild targets with new defaults. */
  async apply(config: Config): Promise<void> {
    this.config = config;
    const d = config.discovery?.enabled ? config.discovery : undefined;
    const settings = d ? JSON.stringify({ ...d, tenant: d.tenant ?? config.tenant }) : undefined;
    if (settings === this.settings) {
      if (this.service?.list) await this.rebuild(this.service.list);
      return;
    }
    await this.stop();
    this.settings = settings;
    if (!d) return this.deps.setTargets([]);
    const service = new DiscoveryService({
      instance: d.instance,
      baseUrl: d.web_service,
      intervalSeconds: d.interval,
      query: { serviceAreas: d.service_areas ?? [], tenantName: d.tenant ?? config.tenant ?? '', noIPv6: d.no_ipv6 },
      store: new DiscoveryStore(this.deps.storagePath),
      timeoutMs: this.deps.fetchTimeoutMs,
      logger: this.logger,
      onList: (list) => void this.rebuild(list),
    });
    this.service = service;
    this.deps.activeChanged?.(true);
    await service.start();
    await this.rebuilding; // targets from the cache are scheduled before start returns
    if (!service.list) this.deps.setTargets([]); // a list made with the old settings must not linger
  }

  async stop(): Promise<void> {
    const service = this.service;
    this.service = undefined;
    this.mapping = undefined;
    this.ranges.clear();
    this.hostSets.clear();
    if (service) this.deps.activeChanged?.(false);
    await service?.stop();
  }

  /** Undefined while discovery is off. */
  view(): DiscoveryView | undefined {
    return this.service ? { state: this.service.snapshot(), mapping: this.mapping } : undefined;
  }

  /** Checks the web service now (tests, and a future admin endpoint); undefined while discovery is off. */
  async checkNow(): Promise<CheckOutcome | undefined> {
    return this.service?.checkNow();
  }

  /** IP-and-UDP-only sets (Teams media, set 11) of the current list, for the STUN/UDP probe. */
  mediaSets(): MediaSet[] {
    return this.mapping?.mediaSets ?? [];
  }

  /** The published ranges of the endpoint set a target probes, when known. */
  publishedRanges(target: ScheduledTarget): CidrSet | undefined {
    const setId = target.endpointSetId ?? this.hostSets.get(hostOf(target));
    return setId === undefined ? undefined : this.ranges.get(setId);
  }

  /** Later lists win: each rebuild waits for the previous one. */
  private rebuild(list: EndpointList): Promise<void> {
    this.rebuilding = this.rebuilding.then(() => this.build(list)).catch((err: unknown) => this.logger.error('building discovered targets failed', { error: String(err) }));
    return this.rebuilding;
  }

  private async build(list: EndpointList): Promise<void> {
    const config = this.config;
    const d = config?.discovery;
    if (!config || !d || this.service?.list !== list) return; // stopped or superseded meanwhile
    const mapping = mapEndpointSets(list.sets, {
      categories: d.categories,
      serviceAreas: d.service_areas,
      requiredOnly: d.required_only,
      tenant: d.tenant ?? config.tenant,
      teamsRelay: d.teams_relay || undefined,
    });
    const setIds = new Map(mapping.targets.map((t) => [t.config.name, t.setId]));
    const built = await buildTargets(
      config,
      mapping.targets.map((t) => t.config),
      'discovery',
    );
    this.mapping = mapping;
    this.ranges = new Map(list.sets.filter((s) => s.ips.length > 0).map((s) => [s.id, new CidrSet(s.ips)]));
    this.hostSets = new Map(mapping.targets.filter((t) => t.config.url).map((t) => [t.host, t.setId]));
    this.deps.setTargets(built.map((t) => ({ ...t, endpointSetId: setIds.get(t.name) })));
  }
}

function hostOf(target: ScheduledTarget): string {
  const spec = target.target.spec;
  return (spec.kind === 'http' ? spec.url.hostname : spec.host).toLowerCase();
}
