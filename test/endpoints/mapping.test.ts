import { describe, expect, it } from 'vitest';
import { mapEndpointSets, type DiscoveryFilter } from '../../src/endpoints/mapping.js';
import { parseEndpointSets } from '../../src/endpoints/parse.js';
import { parsePortList } from '../../src/endpoints/ports.js';
import type { Category, EndpointSet } from '../../src/endpoints/types.js';
import { FIXTURE_FILES, readFixture } from '../helpers/fake-webservice.js';

interface RawSet {
  id: number;
  serviceArea: string;
  category: Category;
  required: boolean;
  urls?: string[];
  tcpPorts?: string;
}

const raw = (file: string) => readFixture<RawSet[]>(file);
const sets = (file: string): EndpointSet[] => parseEndpointSets(raw(file)).sets;
const filter = (over: Partial<DiscoveryFilter> = {}): DiscoveryFilter => ({ categories: ['Optimize', 'Allow'], requiredOnly: false, ...over });

/**
 * The expected targets, counted straight from the fixture JSON without the code under test:
 * every concrete URL makes one web target (name = host) when its set lists 443 or 80, and one
 * `host:port` target per other TCP port; a name seen in several sets takes the best category.
 */
function countByCategory(list: RawSet[], categories: Category[]): Record<string, number> {
  const order = ['Optimize', 'Allow', 'Default'];
  const best: Record<string, string> = {};
  for (const set of list) {
    const ports = (set.tcpPorts ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
    for (const url of set.urls ?? []) {
      if (url.includes('*')) continue;
      const names = ports.includes('443') || ports.includes('80') ? [url] : [];
      for (const p of ports) if (p !== '80' && p !== '443') names.push(`${url}:${p}`);
      for (const n of names) if (best[n] === undefined || order.indexOf(set.category) < order.indexOf(best[n])) best[n] = set.category;
    }
  }
  const counts: Record<string, number> = {};
  for (const c of Object.values(best)) if (categories.includes(c as Category)) counts[c] = (counts[c] ?? 0) + 1;
  return counts;
}

function countsOf(targets: { config: { category: string } }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of targets) counts[t.config.category] = (counts[t.config.category] ?? 0) + 1;
  return counts;
}

describe('endpoint sets -> targets, real worldwide list (2025-12)', () => {
  const file = FIXTURE_FILES.Worldwide;

  it('makes as many targets per category as counted from the fixture (default categories, all categories, without MEM)', () => {
    const defaults = mapEndpointSets(sets(file), filter());
    expect(countsOf(defaults.targets)).toEqual(countByCategory(raw(file), ['Optimize', 'Allow']));
    const all = mapEndpointSets(sets(file), filter({ categories: ['Optimize', 'Allow', 'Default'] }));
    expect(countsOf(all.targets)).toEqual(countByCategory(raw(file), ['Optimize', 'Allow', 'Default']));
    const areas = ['Exchange', 'SharePoint', 'Skype'];
    const noMem = mapEndpointSets(sets(file), filter({ categories: ['Optimize', 'Allow', 'Default'], serviceAreas: areas }));
    const rawNoMem = raw(file).filter((s) => s.serviceArea === 'Common' || areas.includes(s.serviceArea));
    expect(countsOf(noMem.targets)).toEqual(countByCategory(rawNoMem, ['Optimize', 'Allow', 'Default']));
    expect(noMem.targets.length).toBeLessThan(all.targets.length); // the 15 MEM sets add targets
    expect(defaults.targets.every((t) => t.config.category !== 'Default')).toBe(true);
  });

  it('required_only keeps only targets of required sets', () => {
    const mapped = mapEndpointSets(sets(file), filter({ requiredOnly: true }));
    const required = raw(file).filter((s) => s.required);
    expect(countsOf(mapped.targets)).toEqual(countByCategory(required, ['Optimize', 'Allow']));
    expect(mapped.targets.some((t) => t.setId === 2)).toBe(false); // set 2 (IMAP/POP/SMTP) is not required
  });

  it('counts sets by category and service area, and URLs by kind, as the fixture says', () => {
    const mapped = mapEndpointSets(sets(file), filter());
    const setTotal = mapped.sets.reduce((n, s) => n + s.count, 0);
    expect(setTotal).toBe(79);
    expect(mapped.sets.find((s) => s.category === 'Allow' && s.serviceArea === 'MEM')?.count).toBe(raw(file).filter((s) => s.category === 'Allow' && s.serviceArea === 'MEM').length);
    const distinct = new Set(raw(file).flatMap((s) => s.urls ?? []));
    const byKind = (kind: string) => mapped.urls.filter((u) => u.kind === kind).reduce((n, u) => n + u.count, 0);
    expect(byKind('concrete')).toBe([...distinct].filter((u) => !u.includes('*')).length);
    expect(byKind('wildcard') + byKind('tenant')).toBe([...distinct].filter((u) => u.includes('*')).length);
    // *.sharepoint.com (set 31) and autodiscover.*.onmicrosoft.com (set 8); *.onmicrosoft.com is no tenant host.
    expect(mapped.urls.filter((u) => u.kind === 'tenant')).toEqual(expect.arrayContaining([
      { category: 'Optimize', kind: 'tenant', count: 1 },
      { category: 'Default', kind: 'tenant', count: 1 },
    ]));
    expect(byKind('tenant')).toBe(2);
  });

  it('substitutes the tenant into tenant patterns and never guesses other wildcards', () => {
    const without = mapEndpointSets(sets(file), filter({ categories: ['Optimize', 'Allow', 'Default'] }));
    expect(without.targets.some((t) => t.host.includes('sharepoint.com'))).toBe(false);
    const mapped = mapEndpointSets(sets(file), filter({ categories: ['Optimize', 'Allow', 'Default'], tenant: 'Contoso' }));
    const byName = new Map(mapped.targets.map((t) => [t.config.name, t]));
    for (const name of ['contoso.sharepoint.com', 'contoso-my.sharepoint.com']) {
      const t = byName.get(name);
      expect(t?.config).toMatchObject({ url: `https://${name}/`, service: 'SharePoint', category: 'Optimize' });
      expect(t?.setId).toBe(31);
    }
    expect(byName.get('autodiscover.contoso.onmicrosoft.com')?.config).toMatchObject({ url: 'https://autodiscover.contoso.onmicrosoft.com/', category: 'Default', service: 'Exchange' });
    expect(mapped.targets.length).toBe(without.targets.length + 3);
    expect(mapped.targets.some((t) => t.config.name.includes('*') || t.host.endsWith('.onmicrosoft.com') && !t.host.startsWith('autodiscover.contoso.'))).toBe(false);
  });

  it('sovereign clouds: the tenant fills *.sharepoint.us, *.sharepoint-mil.us, *.sharepoint.cn', () => {
    const hosts = (file: string) => mapEndpointSets(sets(file), filter({ tenant: 'contoso' })).targets.map((t) => t.host);
    expect(hosts(FIXTURE_FILES.USGovGCCHigh)).toEqual(expect.arrayContaining(['contoso.sharepoint.us', 'contoso-my.sharepoint.us']));
    expect(hosts(FIXTURE_FILES.USGovDoD)).toEqual(expect.arrayContaining(['contoso.sharepoint-mil.us', 'contoso-my.sharepoint-mil.us']));
    expect(hosts(FIXTURE_FILES.China)).toEqual(expect.arrayContaining(['contoso.sharepoint.cn', 'contoso-my.sharepoint.cn']));
  });

  it('ports: "143, 587, 993, 995" makes tcp targets per port; 443 makes https; the set with only IPs and UDP makes none', () => {
    const mapped = mapEndpointSets(sets(file), filter());
    const byName = new Map(mapped.targets.map((t) => [t.config.name, t]));
    expect(byName.get('outlook.office365.com')).toMatchObject({ setId: 1, config: { url: 'https://outlook.office365.com/', category: 'Optimize', service: 'Exchange' } });
    for (const host of ['outlook.office365.com', 'smtp.office365.com']) {
      for (const port of [143, 587, 993, 995]) {
        expect(byName.get(`${host}:${port}`)).toMatchObject({ setId: 2, config: { tcp: { host, port }, category: 'Allow', service: 'Exchange' } });
      }
    }
    expect(byName.has('smtp.office365.com')).toBe(false); // set 2 has no 443 nor 80
    expect(byName.has('outlook.office365.com:80')).toBe(false); // 80 next to 443 adds nothing
    expect(mapped.targets.some((t) => t.setId === 11)).toBe(false);
    expect(mapped.notProbed.no_urls).toBe(1);
    expect(mapped.mediaSets).toEqual([{ id: 11, category: 'Optimize', serviceArea: 'Skype', ips: ['52.112.0.0/14', '52.122.0.0/15', '2603:1063::/38'], udpPorts: [3478, 3479, 3480, 3481].map((p) => ({ from: p, to: p })) }]);
    // Teams (Skype area) is labelled Teams.
    expect(byName.get('teams.microsoft.com')?.config.service).toBe('Teams');
  });

  it('ports: "443,80" (USGovDoD set 31) is https, and a set listing only 80 is http', () => {
    const dod = mapEndpointSets(sets(FIXTURE_FILES.USGovDoD), filter({ categories: ['Default'] }));
    expect(dod.targets.find((t) => t.config.name === 'pf.events.data.microsoft.com')?.config.url).toBe('https://pf.events.data.microsoft.com/');
    // The real lists have no 80-only set; derive one from set 1 of the worldwide list.
    const set1 = sets(file).find((s) => s.id === 1) as EndpointSet;
    const httpOnly = mapEndpointSets([{ ...set1, tcpPorts: '80' }], filter());
    expect(httpOnly.targets.map((t) => t.config.url)).toEqual(['http://outlook.cloud.microsoft/', 'http://outlook.office.com/', 'http://outlook.office365.com/']);
    expect(parsePortList(' 3478 - 3481, x, 0, 70000, 25')).toEqual([{ from: 25, to: 25 }, { from: 3478, to: 3481 }]);
  });

  it('the highest category wins whatever the order of the sets', () => {
    const all = sets(file);
    const set1 = all.find((s) => s.id === 1) as EndpointSet; // Optimize, outlook.office.com
    const set12 = all.find((s) => s.id === 12) as EndpointSet; // Allow, Teams
    const set35 = all.find((s) => s.id === 35) as EndpointSet; // Default
    const allow = { ...set12, urls: [...set12.urls, 'outlook.office.com'] };
    const deflt = { ...set35, urls: [...set35.urls, 'outlook.office.com', 'teams.microsoft.com'] };
    for (const order of [[allow, set1, deflt], [deflt, set1, allow], [set1, deflt, allow]]) {
      const byName = new Map(mapEndpointSets(order, filter({ categories: ['Optimize', 'Allow', 'Default'] })).targets.map((t) => [t.config.name, t]));
      expect(byName.get('outlook.office.com')).toMatchObject({ setId: 1, config: { category: 'Optimize', service: 'Exchange' } });
      expect(byName.get('teams.microsoft.com')).toMatchObject({ setId: 12, config: { category: 'Allow', service: 'Teams' } });
    }
    // A name whose best category is filtered out is not probed under a lower one.
    const onlyDefault = mapEndpointSets([allow, deflt], filter({ categories: ['Default'] }));
    expect(onlyDefault.targets.some((t) => t.config.name === 'teams.microsoft.com')).toBe(false);
  });

  it('every instance maps to valid targets with defaults filled by the config schema', () => {
    for (const f of Object.values(FIXTURE_FILES)) {
      const mapped = mapEndpointSets(sets(f), filter({ tenant: 'contoso' }));
      expect(mapped.targets.length).toBeGreaterThan(0);
      for (const t of mapped.targets) {
        expect(t.config).toMatchObject({ method: 'GET', headers: {} });
        expect(t.config.url !== undefined || t.config.tcp !== undefined).toBe(true);
      }
    }
  });
});

describe('Teams media sets and the STUN relay', () => {
  const file = FIXTURE_FILES.Worldwide;

  it('a set with only IPs and UDP 3478 becomes one stun target on the relay name, tied to that set', () => {
    const mapped = mapEndpointSets(sets(file), filter({ teamsRelay: 'world.tr.teams.microsoft.com' }));
    const relay = mapped.targets.filter((t) => t.config.stun);
    expect(relay).toHaveLength(1);
    expect(relay[0]).toMatchObject({ setId: 11, host: 'world.tr.teams.microsoft.com', config: { name: 'world.tr.teams.microsoft.com:3478', service: 'Teams', category: 'Optimize', stun: { host: 'world.tr.teams.microsoft.com', port: 3478 } } });
    expect(mapped.notProbed.no_urls).toBe(0);
  });

  it('without a relay name the media set is counted as not probed', () => {
    const mapped = mapEndpointSets(sets(file), filter({ teamsRelay: undefined }));
    expect(mapped.targets.some((t) => t.config.stun)).toBe(false);
    expect(mapped.notProbed.no_urls).toBe(1);
  });

  it('a media set without the STUN port makes no stun target', () => {
    const set11 = sets(file).find((s) => s.id === 11);
    if (!set11) throw new Error('fixture lost set 11');
    const mapped = mapEndpointSets([{ ...set11, udpPorts: '50000-50059' }], filter({ teamsRelay: 'relay.example' }));
    expect(mapped.targets).toHaveLength(0);
    expect(mapped.notProbed.no_urls).toBe(1);
  });
});
