/**
 * Series of the Microsoft 365 diagnostics (issue 4): front door, distance, TLS interception,
 * resolver identity, network assessment score. All gauges, computed in collect() from the
 * findings src/diagnostics/ keeps and the ResultStore, so a removed target leaves nothing;
 * the per-target ones are rendered by hand (keyed-families.ts), prom-client's per-series
 * label hashing being most of a scrape at thousands of targets.
 * The foreign issuer of an intercepted chain is in o365_tls_info's issuer label (probe-metrics.ts).
 */
import { Gauge } from 'prom-client';
import { distanceKm, type LatLon } from '../diagnostics/distance.js';
import { primaryFrontDoor, type FrontDoor } from '../diagnostics/frontdoor.js';
import type { InterceptionFinding } from '../diagnostics/interception.js';
import type { Diagnostics } from '../diagnostics/state.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultStore } from '../scheduler/results.js';
import { extraLabels, sampleLine } from './exposition.js';
import { KeyedFamilies, type KeyedSpec } from './keyed-families.js';
import type { Registries } from './registries.js';

/** The `frontdoor`/`city` value when an answer named no front door, or a code the table lacks. */
export const UNKNOWN = 'unknown';

export class DiagnosticsMetrics {
  constructor(registries: Registries, store: ResultStore, diagnostics: Diagnostics) {
    const registers = registries.all;
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>) => void) =>
      new Gauge({ name, help, labelNames, registers, collect() { this.reset(); fill(this); } });
    // Per-target families: rendered by hand (keyed-families.ts), one series or more per target.
    registries.sources.push(new KeyedFamilies(findingsSpec(diagnostics)), new KeyedFamilies(resolverSpec(store)));
    gauge('o365_dns_resolver_info', 'Egress address of each resolver, from the who-am-i query (diagnostics.whoami).', ['resolver', 'resolver_ip'], (g) => {
      for (const a of diagnostics.whoami.latest()) if (a.egress) g.set({ resolver: a.resolver, resolver_ip: a.egress }, 1);
    });
    gauge('o365_dns_whoami_success', 'Whether the last who-am-i query through each resolver got an address.', ['resolver'], (g) => {
      for (const a of diagnostics.whoami.latest()) g.set({ resolver: a.resolver }, a.egress ? 1 : 0);
    });
    gauge('o365_network_score', "Microsoft's network assessment score (0-100, 80 healthy) over diagnostics.score_window: Exchange from the median TCP connect time, Teams from UDP RTT, jitter and loss. No SharePoint score: it needs download throughput, which is not measured.", ['service'], (g) => {
      for (const s of diagnostics.scores.scores()) g.set({ service: s.service }, s.score);
    });
  }
}

/** What a target's front door, distance and interception lines are made from (each compared by identity). */
type FindingInputs = readonly [frontDoors: FrontDoor[] | undefined, interception: InterceptionFinding | undefined, location: LatLon | undefined];

/** Front door, distance and interception, from the diagnostics findings (labels from the finding's target). */
function findingsSpec(diagnostics: Diagnostics): KeyedSpec<FindingInputs> {
  return {
    families: [
      { name: 'o365_frontdoor_info', help: 'Microsoft front door that served the target (from headers or the CNAME chain) and its city; source="none" when the answer named none.', type: 'gauge' },
      { name: 'o365_frontdoor_distance_km', help: 'Great-circle distance from the configured location to the front door (Microsoft flags more than 800 km).', type: 'gauge' },
      { name: 'o365_tls_intercepted', help: 'Whether the leaf certificate of the last TLS handshake was issued by a CA outside diagnostics.tls_issuers (1: TLS inspection).', type: 'gauge' },
    ],
    states: () => diagnostics.all().map((f) => ({ key: f.target.key, target: f.target, inputs: [f.frontDoors, f.interception, diagnostics.location] as const })),
    lines(prefix, [doors, interception, location], target) {
      let frontDoorLines = '';
      for (const d of doors ?? []) frontDoorLines += sampleLine('o365_frontdoor_info', prefix, extraLabels({ frontdoor: d.code, city: d.city?.city ?? UNKNOWN, source: d.source }), 1);
      // Only where an answer could have named one: HTTP(S) and DNS targets.
      if (doors?.length === 0 && ['http', 'dns'].includes(target.target.spec.kind)) {
        frontDoorLines += sampleLine('o365_frontdoor_info', prefix, extraLabels({ frontdoor: UNKNOWN, city: UNKNOWN, source: 'none' }), 1);
      }
      const door = primaryFrontDoor(doors ?? []);
      return [
        frontDoorLines,
        door && location ? sampleLine('o365_frontdoor_distance_km', prefix, '', distanceKm(location, door.city)) : '',
        interception ? sampleLine('o365_tls_intercepted', prefix, '', interception.intercepted ? 1 : 0) : '',
      ];
    },
  };
}

/** The resolver that answered the last probe's DNS phase, from the stored result. */
function resolverSpec(store: ResultStore): KeyedSpec<readonly [dns: ProbeResult['dns']]> {
  return {
    families: [{ name: 'o365_dns_resolver_answer_info', help: 'Resolver that answered the DNS phase of the last probe (its time is o365_probe_phase_seconds{phase="dns"}).', type: 'gauge' }],
    *states() {
      for (const s of store.all()) if (s.last?.dns) yield { key: s.target.key, target: s.target, inputs: [s.last.dns] as const };
    },
    lines: (prefix, [dns]) => [dns ? sampleLine('o365_dns_resolver_answer_info', prefix, extraLabels({ resolver: dns.resolver }), 1) : ''],
  };
}
