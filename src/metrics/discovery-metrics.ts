/**
 * Series about Microsoft 365 endpoint discovery, all computed at scrape time from the
 * discovery state and the ResultStore (no network work here). Nothing is exported while
 * discovery is off, except the published-range check, which needs a list too.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import { FETCH_ERROR_REASONS } from '../endpoints/client.js';
import type { CidrSet } from '../endpoints/cidr.js';
import type { DiscoveryView } from '../endpoints/discovery.js';
import type { ResultStore } from '../scheduler/results.js';
import type { ProbeResult } from '../probes/result.js';
import { sampleLine } from './exposition.js';
import { KeyedFamilies, type KeyedSpec } from './keyed-families.js';
import type { Registries } from './registries.js';

export interface DiscoverySource {
  view(): DiscoveryView | undefined;
  publishedRanges(target: ScheduledTarget): CidrSet | undefined;
}

/**
 * The o365_endpoints_* series exist only while discovery is configured: prom-client always
 * renders an unlabelled gauge (0 after a reset), so they are registered and unregistered
 * with setActive() instead of being left empty.
 */
export class DiscoveryMetrics {
  private readonly metrics: (Gauge<string> | Counter<string>)[] = [];
  private active = false;

  private readonly registers: Registry[];

  constructor(registries: Registries, source: DiscoverySource, store: ResultStore) {
    this.registers = registries.all;
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>, v: DiscoveryView) => void) =>
      this.own(new Gauge({
        name,
        help,
        labelNames,
        registers: [],
        collect() {
          this.reset();
          // reset() leaves an unlabelled gauge at 0; a value not known yet gets no series.
          if (labelNames.length === 0) this.remove({});
          const view = source.view();
          if (view) fill(this, view);
        },
      }));
    gauge('o365_endpoints_discovery_up', 'Whether an endpoint list is known (from the web service or the on-disk cache).', [], (g, v) => g.set(v.state.list ? 1 : 0));
    gauge('o365_endpoints_version_info', 'Version of the endpoint list held, value 1.', ['instance', 'version'], (g, v) => {
      if (v.state.list) g.set({ instance: v.state.instance, version: v.state.list.version }, 1);
    });
    gauge('o365_endpoints_last_check_timestamp_seconds', 'When the web service last answered a version check.', [], (g, v) => {
      if (v.state.lastCheckAt !== undefined) g.set(v.state.lastCheckAt / 1000);
    });
    gauge('o365_endpoints_last_change_timestamp_seconds', 'When the endpoint list held last changed (its first fetch counts).', [], (g, v) => {
      if (v.state.lastChangeAt !== undefined) g.set(v.state.lastChangeAt / 1000);
    });
    gauge('o365_endpoints_sets', 'Endpoint sets in the list by category and service area.', ['category', 'service_area'], (g, v) => {
      for (const s of v.mapping?.sets ?? []) g.set({ category: s.category, service_area: s.serviceArea }, s.count);
    });
    gauge('o365_endpoints_urls', 'Distinct URLs in the list by their highest category and kind (concrete, tenant pattern, other wildcard).', ['category', 'kind'], (g, v) => {
      for (const u of v.mapping?.urls ?? []) g.set({ category: u.category, kind: u.kind }, u.count);
    });
    gauge('o365_endpoints_targets', 'Probe targets made from the list (before via paths and hand-written overrides).', [], (g, v) => {
      if (v.mapping) g.set(v.mapping.targets.length);
    });
    gauge('o365_endpoints_sets_not_probed', 'Endpoint sets in the selected categories that make no target: no URLs (IPs only, e.g. Teams media) or no TCP port.', ['reason'], (g, v) => {
      for (const [reason, count] of Object.entries(v.mapping?.notProbed ?? {})) g.set({ reason }, count);
    });
    gauge('o365_endpoints_urls_added', 'URLs added by the last change of the list.', [], (g, v) => g.set(v.state.urlsAdded));
    gauge('o365_endpoints_urls_removed', 'URLs removed by the last change of the list.', [], (g, v) => g.set(v.state.urlsRemoved));
    this.own(new Counter({
      name: 'o365_endpoints_fetch_errors_total',
      help: 'Failed requests to the endpoint web service by reason.',
      labelNames: ['reason'],
      registers: [],
      collect() {
        this.reset();
        const state = source.view()?.state;
        if (state) for (const reason of FETCH_ERROR_REASONS) this.inc({ reason }, state.errors[reason]);
      },
    }));
    // Per target: rendered by hand (keyed-families.ts) like the other per-target families.
    registries.sources.push(new KeyedFamilies(publishedRangeSpec(store, source)));
  }

  /** Registers the o365_endpoints_* series when discovery runs, removes them when it does not. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    for (const registry of this.registers) {
      for (const metric of this.metrics) {
        if (active) registry.registerMetric(metric);
        else registry.removeSingleMetric(metricName(metric));
      }
    }
  }

  private own<M extends Gauge<string> | Counter<string>>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }
}

/** prom-client keeps the name on the instance but does not type it. */
function metricName(metric: Gauge<string> | Counter<string>): string {
  return (metric as unknown as { name: string }).name;
}

/**
 * o365_probe_ip_in_published_range: whether the address the last probe connected to is in
 * the published ranges of the target's endpoint set, for targets whose set publishes ranges
 * of that address family. Through a proxy the address connected to is the proxy's: no series.
 */
function publishedRangeSpec(store: ResultStore, source: DiscoverySource): KeyedSpec<readonly [ProbeResult | undefined, CidrSet | undefined]> {
  return {
    families: [{ name: 'o365_probe_ip_in_published_range', help: "Whether the address the last probe connected to lies in the published IP ranges of the target's endpoint set.", type: 'gauge' }],
    *states() {
      for (const { target, last } of store.all()) {
        if (target.options.proxy || !last?.address) continue;
        yield { key: target.key, target, inputs: [last, source.publishedRanges(target)] as const };
      }
    },
    lines(prefix, [last, ranges]) {
      const address = last?.address;
      if (!address || !ranges?.judges(address)) return [''];
      return [sampleLine('o365_probe_ip_in_published_range', prefix, '', ranges.contains(address) ? 1 : 0)];
    },
  };
}
