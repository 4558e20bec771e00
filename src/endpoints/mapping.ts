/**
 * From endpoint sets to probe targets (as config entries, so discovered targets get the
 * same defaults as hand-written ones). Per host: HTTPS when its set lists TCP 443, HTTP when
 * it lists 80 and not 443, and a `tcp` target per other TCP port. When a name comes from
 * several sets, the highest category wins (Optimize > Allow > Default).
 */
import { targetSchema, type TargetConfig } from '../config/schema.js';
import { hasPort, parsePortList, representativePorts, type PortRange } from './ports.js';
import { categoryRank, type Category, type EndpointSet } from './types.js';
import { isHostName, tenantHosts, urlKind, type UrlKind } from './urls.js';

export interface DiscoveryFilter {
  /** Categories to probe. */
  categories: readonly Category[];
  /** Service areas asked for (Common is always included); undefined: every area in the list. */
  serviceAreas?: readonly string[];
  requiredOnly: boolean;
  tenant?: string;
  /**
   * STUN relay name for the IP-and-UDP-only sets (Teams media, set 11): they publish ranges,
   * not names, so the relay clients use is probed and its address checked against the set.
   */
  teamsRelay?: string;
}

/** Where Teams clients send STUN Binding Requests (REFERENCE.md section 3). */
export const TEAMS_STUN_PORT = 3478;

export interface DiscoveredTarget {
  config: TargetConfig;
  /** The endpoint set the target came from (for the published-range check). */
  setId: number;
  host: string;
}

export type NotProbedReason = 'no_urls' | 'no_tcp_ports';

export interface MediaSet {
  id: number;
  category: Category;
  serviceArea: string;
  ips: string[];
  udpPorts: PortRange[];
}

export interface Mapping {
  targets: DiscoveredTarget[];
  /** Sets of the list (as asked for) by category and service area. */
  sets: { category: Category; serviceArea: string; count: number }[];
  /** Distinct URLs of the list, each counted once under its highest category. */
  urls: { category: Category; kind: UrlKind; count: number }[];
  /** Sets in the selected categories that make no target. */
  notProbed: Record<NotProbedReason, number>;
  /** IP-and-UDP-only sets (Teams media, set 11), for a UDP probe. */
  mediaSets: MediaSet[];
}

interface Candidate {
  input: { name: string; service: string; category: Category; url?: string; tcp?: string; stun?: string };
  set: EndpointSet;
  host: string;
  /** Tie-break after category: https (0) before http (1) before tcp (2). */
  kindRank: number;
}

export function mapEndpointSets(all: readonly EndpointSet[], filter: DiscoveryFilter): Mapping {
  const listed = all.filter((s) => inServiceAreas(s, filter.serviceAreas));
  const selected = listed.filter((s) => !filter.requiredOnly || s.required);
  const wanted = (s: EndpointSet) => filter.categories.includes(s.category);
  const best = new Map<string, Candidate>();
  for (const set of selected) {
    for (const candidate of [...candidatesOf(set, filter.tenant), ...relayCandidatesOf(set, filter.teamsRelay)]) {
      const current = best.get(candidate.input.name);
      if (!current || better(candidate, current)) best.set(candidate.input.name, candidate);
    }
  }
  const targets: DiscoveredTarget[] = [];
  for (const c of [...best.values()].sort((a, b) => a.input.name.localeCompare(b.input.name))) {
    if (!filter.categories.includes(c.input.category)) continue;
    const parsed = targetSchema.safeParse(c.input);
    if (parsed.success) targets.push({ config: parsed.data, setId: c.set.id, host: c.host });
  }
  const inCategories = selected.filter(wanted);
  const handedToStun = new Set(targets.filter((t) => t.config.stun).map((t) => t.setId));
  return {
    targets,
    sets: countBy(listed, (s) => ({ category: s.category, serviceArea: s.serviceArea })),
    urls: urlCounts(listed),
    notProbed: {
      no_urls: inCategories.filter((s) => s.urls.length === 0 && !handedToStun.has(s.id)).length,
      no_tcp_ports: inCategories.filter((s) => s.urls.length > 0 && parsePortList(s.tcpPorts).length === 0).length,
    },
    mediaSets: inCategories
      .filter(isMediaSet)
      .map((s) => ({ id: s.id, category: s.category, serviceArea: s.serviceArea, ips: s.ips, udpPorts: parsePortList(s.udpPorts) })),
  };
}

/** The `service` label: Microsoft's "Skype" area is Teams today (and in the default config). */
export function serviceLabel(serviceArea: string): string {
  return serviceArea === 'Skype' ? 'Teams' : serviceArea;
}

function inServiceAreas(set: EndpointSet, areas: readonly string[] | undefined): boolean {
  return !areas || set.serviceArea === 'Common' || areas.includes(set.serviceArea);
}

function candidatesOf(set: EndpointSet, tenant: string | undefined): Candidate[] {
  const tcp = parsePortList(set.tcpPorts);
  const base = { service: serviceLabel(set.serviceArea), category: set.category };
  const out: Candidate[] = [];
  for (const url of set.urls) {
    const hosts = urlKind(url) === 'concrete' ? [url.toLowerCase()] : tenantHosts(url, tenant);
    for (const host of hosts.filter(isHostName)) {
      if (hasPort(tcp, 443)) out.push({ input: { ...base, name: host, url: `https://${host}/` }, set, host, kindRank: 0 });
      else if (hasPort(tcp, 80)) out.push({ input: { ...base, name: host, url: `http://${host}/` }, set, host, kindRank: 1 });
      for (const port of representativePorts(tcp).filter((p) => p !== 80 && p !== 443)) {
        out.push({ input: { ...base, name: `${host}:${port}`, tcp: `${host}:${port}` }, set, host, kindRank: 2 });
      }
    }
  }
  return out;
}

function isMediaSet(set: EndpointSet): boolean {
  return set.urls.length === 0 && set.ips.length > 0 && parsePortList(set.udpPorts).length > 0;
}

/** A media set that lists the STUN port becomes one `stun` target on the relay name. */
function relayCandidatesOf(set: EndpointSet, relay: string | undefined): Candidate[] {
  if (!relay || !isMediaSet(set) || !hasPort(parsePortList(set.udpPorts), TEAMS_STUN_PORT)) return [];
  const name = `${relay}:${TEAMS_STUN_PORT}`;
  return [{ input: { name, service: serviceLabel(set.serviceArea), category: set.category, stun: name }, set, host: relay, kindRank: 3 }];
}

function better(a: Candidate, b: Candidate): boolean {
  const byCategory = categoryRank(a.input.category) - categoryRank(b.input.category);
  if (byCategory !== 0) return byCategory < 0;
  if (a.kindRank !== b.kindRank) return a.kindRank < b.kindRank;
  return a.set.id < b.set.id;
}

function urlCounts(sets: readonly EndpointSet[]): Mapping['urls'] {
  const category = new Map<string, Category>();
  for (const set of sets) {
    for (const url of set.urls) {
      const key = url.toLowerCase();
      const seen = category.get(key);
      if (!seen || categoryRank(set.category) < categoryRank(seen)) category.set(key, set.category);
    }
  }
  return countBy([...category], ([url, c]) => ({ category: c, kind: urlKind(url) }));
}

function countBy<T, K extends Record<string, string>>(items: readonly T[], keyOf: (item: T) => K): (K & { count: number })[] {
  const counts = new Map<string, K & { count: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const id = JSON.stringify(key);
    const entry = counts.get(id) ?? { ...key, count: 0 };
    entry.count++;
    counts.set(id, entry);
  }
  return [...counts.values()];
}
