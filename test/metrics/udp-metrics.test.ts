/** UdpMetrics fed synthetic STUN results through a ResultStore, rendered from explicit registries. */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { createRegistries, type Registries } from '../../src/metrics/registries.js';
import { UDP_RTT_BUCKETS, UdpMetrics } from '../../src/metrics/udp-metrics.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { parseExposition, select, valueOf, type Series } from '../helpers/exposition.js';
import { failedResult, fakeTarget, okResult } from '../helpers/targets.js';

let registries: Registries;
let store: ResultStore;
let metrics: UdpMetrics;

function feed(target: ScheduledTarget, result: ProbeResult): void {
  store.observe(target, result);
  metrics.observe(target, result);
}
async function scrape(): Promise<Series[]> {
  return parseExposition(await registries.prometheus.metrics());
}

const relay = fakeTarget('teams-relay', { service: 'Teams', target: { name: 'teams-relay', spec: { kind: 'stun', host: 'world.tr.teams.microsoft.com', port: 3478 } } });
const https = fakeTarget('exchange');
const labels = { target: 'teams-relay', service: 'Teams', category: 'Optimize', path: 'direct' };

const round = (rtts: number[], sent = 10, mappedAddress = '198.51.100.7'): ProbeResult =>
  okResult({ phases: { udp: 0.03 }, udp: { sent, received: rtts.length, rtts, jitterSeconds: 0.004, mappedAddress } });

beforeEach(() => {
  registries = createRegistries({ defaultMetrics: false });
  store = new ResultStore();
  metrics = new UdpMetrics(registries.all, store);
});

describe('UDP (STUN) metrics', () => {
  it('last round as gauges, every RTT in the histogram, requests and responses counted', async () => {
    feed(relay, round([0.02, 0.03, 0.04, 0.05, 0.2]));
    const series = await scrape();
    expect(valueOf(series, 'o365_udp_loss_ratio', labels)).toBe(0.5);
    expect(valueOf(series, 'o365_udp_reachable', labels)).toBe(1);
    expect(valueOf(series, 'o365_udp_jitter_seconds', labels)).toBe(0.004);
    expect(valueOf(series, 'o365_udp_mapped_address_info', { ...labels, mapped_address: '198.51.100.7' })).toBe(1);
    expect(valueOf(series, 'o365_udp_requests_total', labels)).toBe(10);
    expect(valueOf(series, 'o365_udp_responses_total', labels)).toBe(5);
    expect(valueOf(series, 'o365_udp_rtt_seconds_count', labels)).toBe(5);
    expect(valueOf(series, 'o365_udp_rtt_seconds_bucket', { ...labels, le: '0.05' })).toBe(4);
    expect(valueOf(series, 'o365_udp_rtt_seconds_bucket', { ...labels, le: '0.1' })).toBe(4);
    expect(select(series, 'o365_udp_rtt_seconds_bucket', labels)).toHaveLength(UDP_RTT_BUCKETS.length + 1);
  });

  it('counters accumulate over rounds (smokeping loss), gauges follow the last round, one mapped address', async () => {
    feed(relay, round([0.02, 0.02], 2, '198.51.100.7'));
    feed(relay, round([0.02], 2, '203.0.113.9'));
    const series = await scrape();
    expect(valueOf(series, 'o365_udp_requests_total', labels)).toBe(4);
    expect(valueOf(series, 'o365_udp_responses_total', labels)).toBe(3);
    expect(valueOf(series, 'o365_udp_loss_ratio', labels)).toBe(0.5);
    expect(select(series, 'o365_udp_mapped_address_info')).toEqual([{ name: 'o365_udp_mapped_address_info', labels: { ...labels, mapped_address: '203.0.113.9' }, value: 1 }]);
  });

  it('a silent relay: reachable 0, loss 1, no jitter or mapped address; a DNS failure: reachable 0, counters at 0, no loss', async () => {
    feed(relay, { ...failedResult('udp', 'udp_timeout', {}), udp: { sent: 10, received: 0, rtts: [] } });
    let series = await scrape();
    expect(valueOf(series, 'o365_udp_reachable', labels)).toBe(0);
    expect(valueOf(series, 'o365_udp_loss_ratio', labels)).toBe(1);
    expect(select(series, 'o365_udp_jitter_seconds')).toEqual([]);
    expect(select(series, 'o365_udp_mapped_address_info')).toEqual([]);

    const other = fakeTarget('relay-2', { target: { name: 'relay-2', spec: { kind: 'stun', host: 'nowhere.test', port: 3478 } } });
    feed(other, failedResult('dns', 'dns_nxdomain', { dns: 0.01 }));
    series = await scrape();
    expect(valueOf(series, 'o365_udp_reachable', { target: 'relay-2' })).toBe(0);
    expect(valueOf(series, 'o365_udp_requests_total', { target: 'relay-2' })).toBe(0);
    expect(valueOf(series, 'o365_udp_loss_ratio', { target: 'relay-2' })).toBeUndefined();
  });

  it('other probe kinds leave no UDP series; a forgotten target takes its series away', async () => {
    feed(https, okResult());
    feed(relay, round([0.02]));
    expect(select(await scrape(), 'o365_udp_reachable').map((s) => s.labels.target)).toEqual(['teams-relay']);
    store.forget(relay);
    metrics.forget(relay);
    const series = await scrape();
    expect(series.filter((s) => s.name.startsWith('o365_udp_'))).toEqual([]);
  });
});
