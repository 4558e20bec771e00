/** DiscoveryMetrics from a hand-made discovery view and a ResultStore (no network). */
import { describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { CidrSet } from '../../src/endpoints/cidr.js';
import type { DiscoveryView } from '../../src/endpoints/discovery.js';
import { DiscoveryMetrics } from '../../src/metrics/discovery-metrics.js';
import { createRegistries, renderMetrics } from '../../src/metrics/registries.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { fakeTarget, okResult } from '../helpers/targets.js';

const view: DiscoveryView = {
  state: {
    instance: 'China',
    list: { instance: 'China', version: '2025100100', sets: [] },
    lastCheckAt: 1_764_576_000_000,
    lastChangeAt: 1_764_572_400_000,
    urlsAdded: 4,
    urlsRemoved: 2,
    errors: { http_429: 1, http_5xx: 2, http_other: 0, timeout: 3, network: 0, invalid_json: 0, invalid_shape: 5 },
    consecutiveFailures: 0,
  },
};

function setup() {
  const registries = createRegistries({ defaultMetrics: false });
  const store = new ResultStore();
  let current: DiscoveryView | undefined = view;
  const ranges = new CidrSet(['40.72.0.0/15', '2406:e500::/34']); // v4 and v6 of one set
  const v4only = new CidrSet(['42.159.0.0/16']);
  const metrics = new DiscoveryMetrics(registries, { view: () => current, publishedRanges: (t: ScheduledTarget) => (t.endpointSetId === 1 ? ranges : t.endpointSetId === 2 ? v4only : undefined) }, store);
  const scrape = async () => parseExposition((await renderMetrics(registries, false)).body);
  return { store, metrics, scrape, setView: (v: DiscoveryView | undefined) => (current = v) };
}

describe('DiscoveryMetrics', () => {
  it('renders the discovery state while active, nothing of it while inactive', async () => {
    const { metrics, scrape } = setup();
    expect(select(await scrape(), 'o365_endpoints_discovery_up')).toHaveLength(0);
    metrics.setActive(true);
    const series = await scrape();
    expect(valueOf(series, 'o365_endpoints_discovery_up')).toBe(1);
    expect(valueOf(series, 'o365_endpoints_version_info', { instance: 'China', version: '2025100100' })).toBe(1);
    expect(valueOf(series, 'o365_endpoints_last_check_timestamp_seconds')).toBe(1_764_576_000);
    expect(valueOf(series, 'o365_endpoints_last_change_timestamp_seconds')).toBe(1_764_572_400);
    expect(valueOf(series, 'o365_endpoints_urls_added')).toBe(4);
    expect(valueOf(series, 'o365_endpoints_urls_removed')).toBe(2);
    expect(valueOf(series, 'o365_endpoints_fetch_errors_total', { reason: 'invalid_shape' })).toBe(5);
    expect(valueOf(series, 'o365_endpoints_fetch_errors_total', { reason: 'http_other' })).toBe(0);
    // Scraping twice does not add up the counter.
    expect(valueOf(await scrape(), 'o365_endpoints_fetch_errors_total', { reason: 'timeout' })).toBe(3);
    metrics.setActive(false);
    expect((await scrape()).filter((s) => s.name.startsWith('o365_endpoints_'))).toHaveLength(0);
  });

  it('with no list known: up 0, no version, no timestamps', async () => {
    const { metrics, scrape, setView } = setup();
    setView({ state: { ...view.state, list: undefined, lastCheckAt: undefined, lastChangeAt: undefined } });
    metrics.setActive(true);
    const series = await scrape();
    expect(valueOf(series, 'o365_endpoints_discovery_up')).toBe(0);
    expect(select(series, 'o365_endpoints_version_info')).toHaveLength(0);
    expect(select(series, 'o365_endpoints_last_check_timestamp_seconds')).toEqual([]);
  });

  it('published range: 1 inside, 0 outside; no series through a proxy, without an address, or for a family the list lacks', async () => {
    const { store, scrape } = setup();
    const t = (name: string, setId: number | undefined, extra: Partial<ScheduledTarget> = {}) => fakeTarget(name, { endpointSetId: setId, source: 'discovery', ...extra });
    const proxied = t('via-proxy', 1, { path: 'corp' });
    proxied.options = { ...proxied.options, proxy: { name: 'corp', url: new URL('http://127.0.0.1:3128') } };
    const cases: [ScheduledTarget, string | undefined][] = [
      [t('in-v4', 1), '40.73.255.255'],
      [t('out-v4', 1), '40.74.0.0'],
      [t('in-v6', 1), '2406:e500:3fff::1'],
      [t('out-v6', 1), '2406:e500:4000::'],
      [t('v6-on-v4-list', 2), '2406:e500::1'],
      [t('no-address', 1), undefined],
      [t('no-set', undefined), '40.72.0.1'],
      [proxied, '40.72.0.1'],
    ];
    for (const [target, address] of cases) store.observe(target, okResult({ address }));
    const series = select(await scrape(), 'o365_probe_ip_in_published_range');
    expect(Object.fromEntries(series.map((s) => [s.labels.target, s.value]))).toEqual({ 'in-v4': 1, 'out-v4': 0, 'in-v6': 1, 'out-v6': 0 });
    // A new result moves a target out; a forgotten target loses its series.
    store.observe(cases[0]?.[0] as ScheduledTarget, okResult({ address: '40.80.0.1' }));
    store.forget(cases[2]?.[0] as ScheduledTarget);
    const after = select(await scrape(), 'o365_probe_ip_in_published_range');
    expect(Object.fromEntries(after.map((s) => [s.labels.target, s.value]))).toEqual({ 'in-v4': 0, 'out-v4': 0, 'out-v6': 0 });
  });
});
