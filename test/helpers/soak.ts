/**
 * The soak run, shared by test/faults/soak.test.ts (1 minute) and bench/soak.ts (10 minutes):
 * the built exporter probing hundreds of targets on local peers (healthy HTTPS by name,
 * switchable HTTP servers, a refused port, a hanging TLS server, DNS names whose answers
 * change) at 2-5 s intervals, with faults switched at random every second, while the
 * exporter's RSS, descriptors, timers, event-loop lag, slot misses and probe count are
 * sampled. Analysis of the samples is in soak-stats.ts.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startDnsServer, type Behaviour, type TestDnsServer } from './dns-server.js';
import { valueOf, select, type Series } from './exposition.js';
import { startSwitchableServer, type SwitchMode, type SwitchableServer } from './fault-peers.js';
import { makePki, type Pki } from './pki.js';
import { procSample } from './proc-stats.js';
import { poll, startExporter, tempDir, type ExporterProcess } from './process.js';
import { refusedPort, startHttpsServer, startSilentServer, type TestServer } from './servers.js';
import { timedClient } from './timed-http.js';

export interface SoakOptions {
  durationMs: number;
  targets?: number;
  sampleEveryMs?: number;
  toggleEveryMs?: number;
  /** Deterministic fault schedule. */
  seed?: number;
  /** Another build of the exporter's main.js (e.g. one with a leak injected, to prove the checks fail). */
  mainJs?: string;
  log?: (line: string) => void;
}

export interface SoakSample {
  /** Seconds since the first sample. */
  t: number;
  rssBytes: number;
  fds: number;
  cpuSeconds: number;
  /** nodejs_active_resources{type="Timeout"} (timers keeping the loop alive). */
  timers: number;
  heapUsedBytes: number;
  /**
   * Heap left by the last full collection (V8's --trace-gc, Mark-Compact "after" size): what
   * is really kept. NaN until the first one after the exporter is ready: the collections of
   * start-up saw no results yet (13 MiB against 23 at 300 targets). Heap used swings with the
   * collector's sawtooth. V8 alone gives too few for a comparison: at 300 targets Node 20 ran
   * one every ~26 s, Node 24 one in the minute, Node 22 none; so one is asked for every
   * FULL_GC_EVERY samples (SIGUSR2, see FULL_GC_ON_SIGUSR2).
   */
  liveHeapBytes: number;
  lagSeconds: number;
  slotsMissed: number;
  probes: number;
  inFlight: number;
  scrapeMs: number;
  /** The machine's 1-minute load average: how much else was running. */
  load1: number;
}

export interface SoakResult {
  targets: number;
  durationMs: number;
  toggles: number;
  samples: SoakSample[];
}

const SWITCH_MODES: SwitchMode[] = ['ok', 'ok', 'hang', 'reset', 'status_500', 'slow'];
const DNS_BEHAVIOURS: Behaviour[] = ['answer', 'answer', 'servfail', 'silent', 'nxdomain', 'garbage', 'truncate'];
const FLAKY_NAMES = 10;

/** mulberry32: a small seeded generator, so a failing schedule can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Peers {
  pki: Pki;
  dns: TestDnsServer;
  healthy: TestServer;
  tlsHang: TestServer;
  switchable: SwitchableServer[];
  refused: number;
  caFile: string;
}

async function startPeers(dir: string): Promise<Peers> {
  const pki = makePki();
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  const dns = await startDnsServer({ 'ok.soak.test': { a: ['127.0.0.1'] } });
  for (let i = 0; i < FLAKY_NAMES; i++) dns.set(`flaky-${i}.soak.test`, { a: ['127.0.0.1'] });
  const switchable = await Promise.all([0, 1, 2].map(() => startSwitchableServer('ok')));
  return { pki, dns, caFile, switchable, healthy: await startHttpsServer(pki.valid), tlsHang: await startSilentServer('https'), refused: await refusedPort() };
}

/** Target i of the mix, as a YAML flow mapping. */
function targetYaml(i: number, p: Peers): string {
  const interval = `${2 + (i % 4)}s`;
  const tls = `tls: {ca_file: "${p.caFile}"}`;
  const kind = i % 20;
  // 15 % healthy HTTPS by name, 25 % switchable HTTP, 20 % flaky DNS names, 10 % refused,
  // 10 % HTTPS through a flaky name, 15 % TCP to the healthy server, 5 % hanging TLS.
  const spec =
    kind < 3 ? `url: "https://ok.soak.test:${p.healthy.port}/", ${tls}`
    : kind < 8 ? `url: "http://127.0.0.1:${p.switchable[i % 3]?.port}/x"`
    : kind < 12 ? `dns: flaky-${i % FLAKY_NAMES}.soak.test`
    : kind < 14 ? `tcp: "127.0.0.1:${p.refused}"`
    : kind < 16 ? `url: "https://flaky-${i % FLAKY_NAMES}.soak.test:${p.healthy.port}/", ${tls}`
    : kind < 19 ? `tcp: "127.0.0.1:${p.healthy.port}"`
    : `url: "https://127.0.0.1:${p.tlsHang.port}/", ${tls}`;
  return `  - {name: soak-${i}, interval: ${interval}, ${spec}}`;
}

function soakConfig(targets: number, p: Peers): string {
  const lines = Array.from({ length: targets }, (_, i) => targetYaml(i, p));
  return `resolvers: ["127.0.0.1:${p.dns.resolver.port}"]\ndefaults: {timeout: 1.5s}\ntargets:\n${lines.join('\n')}\n`;
}

function sampleOf(pid: number, series: Series[], scrapeMs: number, t: number, liveHeapBytes: number): SoakSample {
  const sum = (name: string) => select(series, name).reduce((s, x) => s + x.value, 0);
  return {
    t,
    ...procSample(pid),
    timers: valueOf(series, 'nodejs_active_resources', { type: 'Timeout' }) ?? 0,
    heapUsedBytes: valueOf(series, 'nodejs_heap_size_used_bytes') ?? 0,
    liveHeapBytes,
    lagSeconds: valueOf(series, 'nodejs_eventloop_lag_seconds') ?? 0,
    slotsMissed: sum('o365_exporter_probe_slots_missed_total'),
    probes: sum('o365_probes_total'),
    inFlight: valueOf(series, 'o365_exporter_probes_in_flight') ?? 0,
    scrapeMs,
    load1: loadavg()[0] ?? 0,
  };
}

/**
 * Loaded before the exporter's main (with --expose-gc): a full collection on SIGUSR2, which the
 * exporter does not otherwise use (Node's default for it would end the process).
 */
const FULL_GC_ON_SIGUSR2 = 'data:text/javascript,process.on("SIGUSR2",()=>globalThis.gc())';

/**
 * One full collection asked for every this many samples: every 10 s at the usual 2 s, 6 a
 * minute. Their cost lands in both quarters alike: CPU per probe read 1.6-1.9 ms with them,
 * 1.4-1.8 without, in single soak runs (300 targets; Node 20, 22 and 24).
 */
const FULL_GC_EVERY = 5;

/** The heap left by the last full collection (bytes) from the exporter's --trace-gc lines printed from now on. */
function gcTracker(exporter: ExporterProcess): () => number {
  let seen = exporter.stdout().length;
  let last = Number.NaN;
  return () => {
    const text = exporter.stdout();
    for (const [, after] of text.slice(seen).matchAll(/Mark-Compact[^\n]*? -> ([\d.]+) \(/g)) last = Number(after) * 2 ** 20;
    seen = text.lastIndexOf('\n') + 1;
    return last;
  };
}

/** Switches one random peer or DNS name to a random behaviour. */
function toggle(p: Peers, rand: () => number): void {
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)] as T;
  if (rand() < 0.5) pick(p.switchable).mode = pick(SWITCH_MODES);
  else p.dns.set(`flaky-${Math.floor(rand() * FLAKY_NAMES)}.soak.test`, { a: ['127.0.0.1'], behaviour: pick(DNS_BEHAVIOURS) });
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { durationMs, targets = 300, sampleEveryMs = 2000, toggleEveryMs = 1000, seed = 8, log = () => {}, mainJs } = options;
  const tmp = tempDir('o365-soak-');
  const peers = await startPeers(tmp.dir);
  let exporter: ExporterProcess | undefined;
  const rand = random(seed);
  let toggles = 0;
  const toggler = setInterval(() => {
    toggle(peers, rand);
    toggles += 1;
  }, toggleEveryMs);
  try {
    // --trace-gc reports the heap left by each full collection on stdout (sh execs: same pid).
    const prefix = ['sh', '-c', 'm=$1; shift; exec "$0" --trace-gc --expose-gc --import "$SOAK_GC_HOOK" "${SOAK_MAIN_JS:-$m}" "$@"'];
    const env = { SOAK_GC_HOOK: FULL_GC_ON_SIGUSR2, ...(mainJs ? { SOAK_MAIN_JS: mainJs } : {}) };
    exporter = await startExporter(soakConfig(targets, peers), { args: [`--storage.path=${tmp.dir}/data`], waitReady: false, prefix, env, startTimeoutMs: 60_000 });
    const pid = exporter.child.pid as number;
    const client = timedClient({ port: exporter.port });
    await poll('every target probed once', async () => ((await client.get('/-/ready')).status === 200 ? true : undefined), 60_000, 500);
    const gc = gcTracker(exporter);
    const samples: SoakSample[] = [];
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      // A long answer is recorded (maxScrapeMs), not taken for a dead exporter.
      const { series, ms } = await client.scrape(60_000);
      const sample = sampleOf(pid, series, ms, (performance.now() - start) / 1000, gc());
      samples.push(sample);
      // Read at the next sample: the collection ends long before it.
      if (samples.length % FULL_GC_EVERY === 0) process.kill(pid, 'SIGUSR2');
      log(`t=${sample.t.toFixed(0)}s rss=${(sample.rssBytes / 2 ** 20).toFixed(1)}MiB live=${(sample.liveHeapBytes / 2 ** 20).toFixed(1)}MiB fds=${sample.fds} timers=${sample.timers} lag=${(sample.lagSeconds * 1000).toFixed(1)}ms missed=${sample.slotsMissed} probes=${sample.probes} scrape=${ms.toFixed(0)}ms load=${sample.load1.toFixed(1)}`);
      const next = start + samples.length * sampleEveryMs;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    if (exporter.child.exitCode !== null) throw new Error(`exporter exited during the soak: ${exporter.stderr().slice(-2000)}`);
    return { targets, durationMs, toggles, samples };
  } finally {
    clearInterval(toggler);
    await exporter?.stop('SIGTERM', 10_000);
    for (const s of peers.switchable) s.mode = 'ok';
    await Promise.all([peers.dns.close(), peers.healthy.close(), peers.tlsHang.close(), ...peers.switchable.map((s) => s.close())]);
    peers.pki.cleanup();
    tmp.cleanup();
  }
}
