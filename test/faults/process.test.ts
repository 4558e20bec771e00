/**
 * Fault matrix, process: SIGTERM while probes hang (clean exit 0 within the longest probe
 * timeout, nothing but info lines on stderr), and a storm of 50 SIGHUPs right after the
 * config file changed (the process survives, the new config is applied once: no duplicate
 * targets, no duplicate discovery, the healthy target still runs once a second).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { select, valueOf, type Series } from '../helpers/exposition.js';
import { SCRAPE_BOUND_MS } from '../helpers/fault-assert.js';
import { writeFileSync } from 'node:fs';
import { FaultGroup, HEALTHY, configYaml, type FaultCase, type GroupSpec } from '../helpers/fault-harness.js';
import { startHealthyHttps, startTrickleServer } from '../helpers/fault-peers.js';
import { startFakeWebService, type FakeWebService } from '../helpers/fake-webservice.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, tempDir, type ExitStatus } from '../helpers/process.js';
import { startHttpsServer, startSilentServer, type TestServer } from '../helpers/servers.js';

const peers = new Map<string, TestServer>();
let caFile = '';
const at = (peer: string) => () => `url: "${peers.get(peer)?.url().href}", tls: {ca_file: "${caFile}"}`;

/** Probes that hang until their timeout. */
const HANGING: FaultCase[] = [
  { name: 'tls-hang', target: at('tlsHang'), expect: { phase: 'tls', reason: 'tls_timeout' } },
  { name: 'http-never-answers', target: at('httpSilent'), expect: { phase: 'first_byte', reason: 'http_timeout' } },
  { name: 'http-one-byte-per-second', target: at('trickle'), expect: { phase: 'first_byte', reason: 'http_timeout' } },
  { name: 'dns-silence', target: 'dns: silent.fault.test', expect: { phase: 'dns', reason: 'dns_timeout' } },
];
const LONGEST_TIMEOUT_S = 6;

let pki: Pki | undefined;
let dns: TestDnsServer | undefined;
let fake: FakeWebService | undefined;
let healthyYaml = '';
const tmp = tempDir('o365-faults-process-');
const started: FaultGroup[] = [];

const term: { inFlight?: number; status?: ExitStatus; seconds?: number; stderr?: string } = {};
const storm: { reloads?: number; versionChecks?: number; after?: Series[]; healthyRate?: number; alive?: boolean; fds?: [number, number] } = {};

async function sigtermDuringProbes(): Promise<void> {
  const head = `resolvers: ["127.0.0.1:${dns?.resolver.port}"]\n`;
  const group = await FaultGroup.start({ head, healthy: healthyYaml, cases: HANGING, interval: '2s', timeout: `${LONGEST_TIMEOUT_S}s` });
  started.push(group);
  await group.reload(true);
  term.inFlight = await poll('hanging probes in flight', async () => {
    const n = valueOf((await group.scrape()).series, 'o365_exporter_probes_in_flight') ?? 0;
    return n >= HANGING.length ? n : undefined;
  }, 20_000, 100);
  const t0 = performance.now();
  // SIGKILL after the longest timeout: an exit status 0 means it stopped by itself in time.
  term.status = await group.exporter.stop('SIGTERM', LONGEST_TIMEOUT_S * 1000);
  term.seconds = (performance.now() - t0) / 1000;
  term.stderr = group.exporter.stderr();
}

async function sighupStorm(): Promise<void> {
  const discovery = (noIpv6: boolean) => `resolvers: ["127.0.0.1:${dns?.resolver.port}"]\ndiscovery: {web_service: "${fake?.url}", interval: 5m, no_ipv6: ${noIpv6}}\n`;
  const spec: GroupSpec = { head: discovery(false), healthy: healthyYaml, cases: [{ name: 'tcp-refused', target: 'tcp: "127.0.0.1:1"', expect: { phase: 'connect', reason: 'connect_refused' } }] };
  const group = await FaultGroup.start(spec);
  started.push(group);
  await poll('discovered targets scheduled', async () => (valueOf((await group.scrape()).series, 'o365_exporter_targets', { source: 'discovery' }) === 2 ? true : undefined), 20_000, 200);
  const fdsBefore = (await group.holdings()).fds;
  const checksBefore = fake?.requests('/version/Worldwide') ?? 0;
  // A changed file (one more target, a discovery setting changed), then 50 SIGHUPs at once.
  spec.head = discovery(true);
  writeFileSync(group.exporter.configFile, configYaml(spec, true));
  // A millisecond apart: signals sent back to back merge into one in the kernel.
  for (let i = 0; i < 50; i++) {
    group.exporter.child.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 1));
  }
  // Pending signals of one kind merge, so fewer than 50 reloads may run: wait until they stop.
  const reloads = () => group.exporter.stderr().match(/msg="config (reloaded|reload failed)/g)?.length ?? 0;
  let seen = -1;
  storm.reloads = await poll('the storm settled (no reload for 1 s)', () => {
    const now = reloads();
    if (now === seen) return now;
    seen = now;
    return undefined;
  }, 30_000, 1000);
  const first = await group.scrape();
  await new Promise((r) => setTimeout(r, 5000));
  const last = await group.scrape();
  const runs = (s: Series[]) => valueOf(s, 'o365_probes_total', { target: HEALTHY }) ?? 0;
  storm.healthyRate = (runs(last.series) - runs(first.series)) / ((last.at - first.at) / 1000);
  storm.after = last.series;
  storm.versionChecks = (fake?.requests('/version/Worldwide') ?? 0) - checksBefore;
  storm.alive = group.exporter.child.exitCode === null;
  storm.fds = [fdsBefore, (await group.holdings()).fds];
}

beforeAll(async () => {
  pki = makePki();
  dns = await startDnsServer({ 'silent.fault.test': { behaviour: 'silent' } });
  fake = await startFakeWebService();
  fake.publish('Worldwide', '2099010100', [{ id: 1, serviceArea: 'Exchange', urls: ['mail.p.fault.test', 'smtp.p.fault.test'], tcpPorts: '443', category: 'Optimize', required: true }]);
  const healthy = await startHealthyHttps(pki, tmp.dir);
  peers.set('healthy', healthy.server);
  healthyYaml = healthy.yaml;
  caFile = healthy.caFile;
  peers.set('tlsHang', await startSilentServer('https'));
  peers.set('httpSilent', await startHttpsServer(pki.valid, () => {}));
  peers.set('trickle', await startTrickleServer(pki.valid));
  // allSettled: when one half fails, the other's exporter must still be registered for afterAll.
  for (const outcome of await Promise.allSettled([sigtermDuringProbes(), sighupStorm()])) {
    if (outcome.status === 'rejected') throw outcome.reason;
  }
}, 150_000);

afterAll(async () => {
  await Promise.all(started.map((g) => g.stop()));
  await Promise.all([...peers.values()].map((p) => p.close()));
  await Promise.all([dns?.close(), fake?.close()]);
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: process', () => {
  it('SIGTERM with probes hanging: exit code 0 within the longest probe timeout', () => {
    console.log(`[faults] SIGTERM with ${term.inFlight} probes in flight: exit after ${term.seconds?.toFixed(2)} s`);
    expect(term.status).toEqual({ code: 0, signal: null });
  });

  it('SIGTERM: nothing but info lines on stderr (no error, warning or stack trace)', () => {
    const lines = (term.stderr ?? '').trim().split('\n');
    expect(lines.filter((l) => !/^ts=\S+ level=info msg=/.test(l))).toEqual([]);
    expect(lines.at(-1)).toMatch(/msg="shutting down" signal=SIGTERM/);
  });

  it('SIGHUP storm: the process survives with the new config applied, last reload successful', () => {
    expect(storm.alive).toBe(true);
    expect(valueOf(storm.after ?? [], 'o365_exporter_config_last_reload_successful')).toBe(1);
    expect(valueOf(storm.after ?? [], 'o365_exporter_targets', { source: 'config' })).toBe(2);
    expect(valueOf(storm.after ?? [], 'o365_exporter_targets', { source: 'discovery' })).toBe(2);
  });

  it('SIGHUP storm: no duplicate targets, each probed on its own schedule', () => {
    const names = select(storm.after ?? [], 'o365_probe_success').map((s) => s.labels.target);
    expect(names.sort()).toEqual([HEALTHY, 'mail.p.fault.test', 'smtp.p.fault.test', 'tcp-refused']);
    console.log(`[faults] SIGHUP storm: healthy ran ${storm.healthyRate?.toFixed(2)}/s after it`);
    expect(storm.healthyRate).toBeGreaterThanOrEqual(0.75);
    expect(storm.healthyRate).toBeLessThanOrEqual(1.5);
  });

  it('SIGHUP storm: discovery restarted once for the changed setting, not once per signal', () => {
    console.log(`[faults] SIGHUP storm: ${storm.reloads} reloads logged, ${storm.versionChecks} version checks, fds ${storm.fds?.join(' -> ')}`);
    expect(storm.versionChecks).toBeGreaterThanOrEqual(1);
    expect(storm.versionChecks).toBeLessThanOrEqual(2);
    expect(storm.fds?.[1]).toBeLessThanOrEqual((storm.fds?.[0] ?? 0) + 4);
  });

  it(`answers every /metrics scrape within ${SCRAPE_BOUND_MS} ms`, () => {
    const slowest = Math.max(...started.map((g) => g.maxScrapeMs()));
    console.log(`[faults] process: slowest scrape ${started.map((g) => g.maxScrapeMs().toFixed(0)).join(' ms (SIGTERM), ')} ms (SIGHUP storm)`);
    expect(slowest).toBeLessThan(SCRAPE_BOUND_MS);
  });
});
