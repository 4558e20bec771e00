/**
 * Series of the Microsoft 365 diagnostics (issue 4): front door, distance, TLS interception,
 * resolver identity, network assessment score. All gauges, computed in collect() from the
 * findings src/diagnostics/ keeps and the ResultStore, so a removed target leaves nothing;
 * the per-target ones are rendered by hand (scrape-families.ts), prom-client's per-series
 * label hashing being most of a scrape at thousands of targets.
 * The foreign issuer of an intercepted chain is in o365_tls_info's issuer label (probe-metrics.ts).
 */
import { Gauge } from 'prom-client';
import { distanceKm } from '../diagnostics/distance.js';
import { primaryFrontDoor } from '../diagnostics/frontdoor.js';
import type { Diagnostics, TargetFindings } from '../diagnostics/state.js';
import type { ResultStore } from '../scheduler/results.js';
import { extraLabels, sampleLine, type Chunk } from './exposition.js';
import type { Registries } from './registries.js';
import { ScrapeFamilies, type PrefixOf, type ScrapeFamily } from './scrape-families.js';

/** The `frontdoor`/`city` value when an answer named no front door, or a code the table lacks. */
export const UNKNOWN = 'unknown';

export class DiagnosticsMetrics {
  constructor(registries: Registries, store: ResultStore, diagnostics: Diagnostics) {
    const registers = registries.all;
    const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge<string>) => void) =>
      new Gauge({ name, help, labelNames, registers, collect() { this.reset(); fill(this); } });
    // Per-target families: rendered by hand (scrape-families.ts), one series or more per target.
    const perFinding = (name: string, help: string, lines: (f: TargetFindings, prefix: string) => string): ScrapeFamily => ({
      name,
      help,
      type: 'gauge',
      collect(prefixOf: PrefixOf, out: Chunk[]) {
        for (const f of diagnostics.all()) {
          const text = lines(f, prefixOf(f.target));
          if (text) out.push(text);
        }
      },
    });

    registries.sources.push(new ScrapeFamilies([
      perFinding('o365_frontdoor_info', 'Microsoft front door that served the target (from headers or the CNAME chain) and its city; source="none" when the answer named none.', (f, prefix) => {
        if (!f.frontDoors) return '';
        let out = '';
        for (const d of f.frontDoors) out += sampleLine('o365_frontdoor_info', prefix, extraLabels({ frontdoor: d.code, city: d.city?.city ?? UNKNOWN, source: d.source }), 1);
        // Only where an answer could have named one: HTTP(S) and DNS targets.
        if (f.frontDoors.length === 0 && ['http', 'dns'].includes(f.target.target.spec.kind)) {
          out += sampleLine('o365_frontdoor_info', prefix, extraLabels({ frontdoor: UNKNOWN, city: UNKNOWN, source: 'none' }), 1);
        }
        return out;
      }),
      perFinding('o365_frontdoor_distance_km', 'Great-circle distance from the configured location to the front door (Microsoft flags more than 800 km).', (f, prefix) => {
        const door = primaryFrontDoor(f.frontDoors ?? []);
        return door && diagnostics.location ? sampleLine('o365_frontdoor_distance_km', prefix, '', distanceKm(diagnostics.location, door.city)) : '';
      }),
      perFinding('o365_tls_intercepted', 'Whether the leaf certificate of the last TLS handshake was issued by a CA outside diagnostics.tls_issuers (1: TLS inspection).', (f, prefix) =>
        f.interception ? sampleLine('o365_tls_intercepted', prefix, '', f.interception.intercepted ? 1 : 0) : ''),
      {
        name: 'o365_dns_resolver_answer_info',
        help: 'Resolver that answered the DNS phase of the last probe (its time is o365_probe_phase_seconds{phase="dns"}).',
        type: 'gauge',
        collect(prefixOf, out) {
          for (const s of store.all()) {
            if (s.last?.dns) out.push(sampleLine('o365_dns_resolver_answer_info', prefixOf(s.target), extraLabels({ resolver: s.last.dns.resolver }), 1));
          }
        },
      },
    ]));
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
