/**
 * Fault matrix, endpoint web service: discovery runs against the local fake, which then
 * answers 429, 500, garbage (half a JSON document), JSON of the wrong shape, or hangs. Each
 * fault is met by a fresh check (a reload that changes a discovery setting restarts
 * discovery, which checks at once): the exporter counts it under the right reason, keeps the
 * list it had (and the targets made from it), and /metrics stays fast throughout. The hang
 * lasts the client's whole 30 s request timeout.
 * Discovered names resolve through the test DNS server only (NXDOMAIN): nothing leaves loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { valueOf, type Series } from '../helpers/exposition.js';
import { SCRAPE_BOUND_MS } from '../helpers/fault-assert.js';
import { FaultGroup, HEALTHY } from '../helpers/fault-harness.js';
import { startHealthyHttps } from '../helpers/fault-peers.js';
import { startFakeWebService, type FakeBehaviour, type FakeWebService } from '../helpers/fake-webservice.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, tempDir } from '../helpers/process.js';
import type { TestServer } from '../helpers/servers.js';

const VERSION = '2099010100';
const SETS = [
  { id: 1, serviceArea: 'Exchange', urls: ['mail.ws.fault.test', 'smtp.ws.fault.test'], tcpPorts: '443', category: 'Optimize', required: true },
];

const FAULTS: { behaviour: FakeBehaviour; reason: string }[] = [
  { behaviour: 'http_429', reason: 'http_429' },
  { behaviour: 'http_500', reason: 'http_5xx' },
  { behaviour: 'truncated', reason: 'invalid_json' },
  { behaviour: 'wrong_shape', reason: 'invalid_shape' },
  { behaviour: 'hang', reason: 'timeout' },
];

/** The client's 30 s request timeout (the hang), plus room for a reload on a busy machine. */
const COUNTED_WITHIN_MS = 60_000;

interface Step {
  errors: number;
  discovered?: number;
  up?: number;
  version?: number;
  healthyRuns: number;
  seconds: number;
}

let pki: Pki | undefined;
let dns: TestDnsServer | undefined;
let fake: FakeWebService | undefined;
let healthy: TestServer | undefined;
let group: FaultGroup | undefined;
const steps = new Map<string, Step>();
let before: Series[] = [];
const tmp = tempDir('o365-faults-ws-');

const head = (webService: string, dnsPort: number, noIpv6: boolean) =>
  `resolvers: ["127.0.0.1:${dnsPort}"]\ndiscovery: {web_service: "${webService}", interval: 5m, no_ipv6: ${noIpv6}}\n`;

/** Restarts discovery (a setting changed) with the fake misbehaving; waits for the failure to be counted. */
async function meet(g: FaultGroup, behaviour: FakeBehaviour, reason: string, noIpv6: boolean): Promise<Step> {
  fake?.setBehaviour(behaviour);
  g.spec.head = head(fake?.url ?? '', dns?.resolver.port ?? 0, noIpv6);
  const start = await g.scrape();
  await g.reload(false);
  const last = await poll(`fetch error ${reason} counted`, async () => {
    const s = await g.scrape();
    return (valueOf(s.series, 'o365_endpoints_fetch_errors_total', { reason }) ?? 0) >= 1 ? s : undefined;
  }, COUNTED_WITHIN_MS, 200).catch((err: unknown) => {
    // What the exporter did instead (reload, check, reason counted) is in its log.
    throw new Error(`${(err as Error).message}; exporter log tail:\n${g.exporter.stderr().split('\n').slice(-25).join('\n')}`);
  });
  const runs = (s: Series[]) => valueOf(s, 'o365_probes_total', { target: HEALTHY }) ?? 0;
  return {
    errors: valueOf(last.series, 'o365_endpoints_fetch_errors_total', { reason }) ?? 0,
    discovered: valueOf(last.series, 'o365_exporter_targets', { source: 'discovery' }),
    up: valueOf(last.series, 'o365_endpoints_discovery_up'),
    version: valueOf(last.series, 'o365_endpoints_version_info', { instance: 'Worldwide', version: VERSION }),
    healthyRuns: runs(last.series) - runs(start.series),
    seconds: (last.at - start.at) / 1000,
  };
}

beforeAll(async () => {
  pki = makePki();
  dns = await startDnsServer({});
  fake = await startFakeWebService();
  fake.publish('Worldwide', VERSION, SETS);
  const peer = await startHealthyHttps(pki, tmp.dir);
  healthy = peer.server;
  group = await FaultGroup.start({ head: head(fake.url, dns.resolver.port, false), healthy: peer.yaml, cases: [], args: [`--storage.path=${tmp.dir}/data`] });
  before = (
    await poll('the list fetched and its targets scheduled', async () => {
      const s = await group?.scrape();
      return s && valueOf(s.series, 'o365_exporter_targets', { source: 'discovery' }) === 2 ? s : undefined;
    }, 20_000, 200)
  ).series;
  let noIpv6 = false;
  for (const { behaviour, reason } of FAULTS) steps.set(behaviour, await meet(group, behaviour, reason, (noIpv6 = !noIpv6)));
  console.log(`[faults] web service: counted after ${[...steps].map(([b, s]) => `${b} ${s.seconds.toFixed(1)} s`).join(', ')}`);
  fake.setBehaviour('normal');
}, 150_000);

afterAll(async () => {
  await group?.stop();
  await Promise.all([dns?.close(), fake?.close(), healthy?.close()]);
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: endpoint web service', () => {
  it('starts with the published list: discovery up, its two targets scheduled', () => {
    expect(valueOf(before, 'o365_endpoints_discovery_up')).toBe(1);
    expect(valueOf(before, 'o365_endpoints_version_info', { instance: 'Worldwide', version: VERSION })).toBe(1);
  });

  it.each(FAULTS)('$behaviour: counted as $reason, the last list and its targets kept', ({ behaviour }) => {
    const step = steps.get(behaviour);
    expect(step?.errors).toBeGreaterThanOrEqual(1);
    expect(step?.up).toBe(1);
    expect(step?.version).toBe(1);
    expect(step?.discovered).toBe(2);
  });

  it('the healthy target kept its 1 s schedule through every fault, the hang included', () => {
    for (const [behaviour, step] of steps) {
      expect(step.healthyRuns / step.seconds, behaviour).toBeGreaterThanOrEqual(step.seconds >= 3 ? 0.75 : 0);
    }
    expect(steps.get('hang')?.seconds).toBeGreaterThanOrEqual(25);
  });

  it(`answers every /metrics scrape within ${SCRAPE_BOUND_MS} ms`, () => {
    const slowest = group?.maxScrapeMs() ?? Infinity;
    console.log(`[faults] web service: ${group?.scrapes.length} scrapes, slowest ${slowest.toFixed(0)} ms`);
    expect(slowest).toBeLessThan(SCRAPE_BOUND_MS);
  });

  it('holds no more descriptors than before the faults once the hang timed out', async () => {
    const g = group as FaultGroup;
    const base = g.baseline?.fds ?? 0;
    const fds = await poll('descriptors back to the baseline', async () => {
      const h = await g.holdings();
      return h.fds <= base + 2 ? h.fds : undefined;
    }, 10_000, 250).catch(async () => (await g.holdings()).fds);
    console.log(`[faults] web service: fds baseline ${base}, after ${fds}`);
    expect(fds).toBeLessThanOrEqual(base + 2);
  });
});
