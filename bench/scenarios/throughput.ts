/**
 * Throughput and cost of /probe: wrk drives each exporter against the same local HTTPS
 * target (a full dns-less connect + TLS + GET per request) at a few concurrencies; CPU from
 * /proc/<pid>/stat, peak RSS from VmHWM (reset before each round).
 *
 * Both exporters run for the whole scenario and take turns in short rounds (ABBA order), so
 * a change in the machine's load during the run weighs on both alike: measured one after the
 * other, the ratio moved by +-0.3 from run to run on this shared VM.
 */
import { join } from 'node:path';
import { blackboxConfig, BLACKBOX_MODULE_LOCAL, LOCAL_PORT, o365Config, O365_MODULE_LOCAL } from '../lib/configs.js';
import { REPO_ROOT, startBlackbox, startO365, type Exporter } from '../lib/exporters.js';
import { cpuSeconds, memory, resetPeak } from '../lib/procs.js';
import { histogramQuantile, type Bin } from '../lib/stats.js';
import type { BenchEnv } from './env.js';

export interface ThroughputOptions {
  concurrency: number[];
  /**
   * Seconds of load per exporter and concurrency, split over `rounds` turns. Twelve 1 s turns
   * by default: with four of 3 s the 95 % interval of the turns' ratio was about twice as wide
   * at concurrency 1 and 32, over runs alternating the two (results/throughput-order/).
   */
  seconds: number;
  rounds: number;
  /** Unmeasured seconds of load per exporter, at the first concurrency, before any round. */
  warmupSeconds: number;
}

/** One turn of one exporter: what the ratio's spread is computed from. */
export interface ThroughputRound {
  seconds: number;
  probes: number;
  cpuSeconds: number;
  /** CPU the local HTTPS target spent in this turn (absent in results before 2026-12-04 20:32 UTC). */
  peerCpuSeconds?: number;
}

export interface ThroughputStep {
  exporter: Exporter['kind'];
  concurrency: number;
  seconds: number;
  /** Answers with probe_success 1. */
  probes: number;
  /** Non-200 answers, failed probes and socket errors. */
  failed: number;
  probesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  probesPerCpuSecond: number;
  peakRssBytes: number;
  /**
   * Share of one core the local HTTPS target (one Node process, single-threaded) used during
   * this exporter's turns: near 100 it, not the exporter, bounds probes/s (per CPU second is
   * the exporter's own either way). Absent in results before 2026-12-04 20:32 UTC.
   */
  peerCpuPercent?: number;
  /** Absent in results written before the rounds were interleaved. */
  rounds?: ThroughputRound[];
}

interface WrkSummary {
  requests: number;
  duration_us: number;
  ok: number;
  bad: number;
  errors: number;
  p50_us: number;
  p99_us: number;
  bins: Bin[];
}

const LUA = join(REPO_ROOT, 'bench', 'wrk', 'probe.lua');

async function wrk(env: BenchEnv, url: string, concurrency: number, seconds: number): Promise<WrkSummary> {
  const threads = String(Math.min(2, concurrency));
  const proc = env.lab.exec(env.lab.near, `wrk -c${concurrency}`, 'wrk', [
    '-t', threads, '-c', String(concurrency), '-d', `${seconds}s`, '--timeout', '15s', '-s', LUA, url,
  ]);
  const guard = setTimeout(() => void proc.stop(), (seconds + 30) * 1000);
  const code = await proc.exited;
  clearTimeout(guard);
  const line = /WRK_JSON (\{.*\})/.exec(proc.output());
  if (!line?.[1]) throw new Error(`wrk exited ${code} without a summary:\n${proc.output().slice(-1500)}`);
  return JSON.parse(line[1]) as WrkSummary;
}

interface Turn {
  wrk: WrkSummary;
  cpuSeconds: number;
  peerCpuSeconds: number;
  peakRssBytes: number;
}

async function turn(env: BenchEnv, exporter: Exporter, url: string, concurrency: number, seconds: number): Promise<Turn> {
  const pid = exporter.proc.pid;
  resetPeak(pid);
  const cpu0 = cpuSeconds(pid);
  const peer0 = cpuSeconds(env.local.pid);
  const w = await wrk(env, url, concurrency, seconds);
  return { wrk: w, cpuSeconds: cpuSeconds(pid) - cpu0, peerCpuSeconds: cpuSeconds(env.local.pid) - peer0, peakRssBytes: memory(pid).peak };
}

/** Sums an exporter's turns at one concurrency into one step; percentiles from the pooled histograms. */
export function pool(exporter: Exporter['kind'], concurrency: number, turns: readonly Turn[]): ThroughputStep {
  const sum = (f: (t: Turn) => number) => turns.reduce((a, t) => a + f(t), 0);
  const wall = sum((t) => t.wrk.duration_us) / 1e6;
  const ok = sum((t) => t.wrk.ok);
  const cpu = sum((t) => t.cpuSeconds);
  const peer = sum((t) => t.peerCpuSeconds);
  const bins = turns.flatMap((t) => t.wrk.bins);
  return {
    exporter,
    concurrency,
    seconds: wall,
    probes: ok,
    failed: sum((t) => t.wrk.bad + t.wrk.errors),
    probesPerSecond: ok / wall,
    p50Ms: histogramQuantile(bins, 0.5) / 1000,
    p99Ms: histogramQuantile(bins, 0.99) / 1000,
    cpuSeconds: cpu,
    cpuSecondsPer1000: ok > 0 ? (cpu / ok) * 1000 : NaN,
    probesPerCpuSecond: cpu > 0 ? ok / cpu : NaN,
    peakRssBytes: Math.max(...turns.map((t) => t.peakRssBytes)),
    peerCpuPercent: wall > 0 ? (peer / wall) * 100 : NaN,
    rounds: turns.map((t) => ({ seconds: t.wrk.duration_us / 1e6, probes: t.wrk.ok, cpuSeconds: t.cpuSeconds, peerCpuSeconds: t.peerCpuSeconds })),
  };
}

/** ABBA...: round r's first turn goes to exporter r % 2, so neither always runs first. */
export function turnOrder(round: number): [number, number] {
  return round % 2 === 0 ? [0, 1] : [1, 0];
}

/**
 * The warm-up ends with the exporter whose turn comes first, so that this exporter does not
 * start measuring after idling through the other's warm-up: V8's memory reducer collects once
 * the process has allocated little for a while (20 s into an idle spell, traced), and the load
 * after it ran on code compiled again (results/throughput-warmup/).
 */
export function warmupOrder(): [number, number] {
  const [first, second] = turnOrder(0);
  return [second, first];
}

interface Driven {
  exporter: Exporter;
  url: string;
}

/**
 * The warm-up runs at the first concurrency measured (the highest, by default): 12 s at 32 let
 * the first turns at 32 read as the later ones, while 12 s at 1 left this exporter's first ~10
 * turns at 1 about 10 % low, V8 still compiling its probe path (results/throughput-c1-last/).
 */
export function warmupConcurrency(o: Pick<ThroughputOptions, 'concurrency'>): number {
  const first = o.concurrency[0];
  if (first === undefined) throw new Error('throughput: no concurrency to run at');
  return first;
}

/** One wrk load in the scenario's order: unmeasured (a warm-up) or a measured turn. */
export interface Load {
  /** Index into the pair: 0 this exporter, 1 blackbox_exporter. */
  exporter: number;
  concurrency: number;
  /** Index into the concurrency flag's list: a step's turns are pooled into one result. */
  step: number;
  seconds: number;
  measured: boolean;
}

/**
 * Every load the scenario runs, in order: the warm-up of each exporter (`warmupOrder`, at
 * `warmupConcurrency`), then per concurrency `rounds` rounds of one turn each (`turnOrder`).
 * `runThroughput` only runs this list, so the tests read the order it follows.
 */
export function throughputPlan(o: ThroughputOptions): Load[] {
  const plan: Load[] = [];
  if (o.warmupSeconds > 0) {
    const c = warmupConcurrency(o);
    for (const exporter of warmupOrder()) plan.push({ exporter, concurrency: c, step: 0, seconds: o.warmupSeconds, measured: false });
  }
  const seconds = Math.max(1, Math.round(o.seconds / o.rounds));
  for (const [step, concurrency] of o.concurrency.entries()) {
    for (let r = 0; r < o.rounds; r++) {
      for (const exporter of turnOrder(r)) plan.push({ exporter, concurrency, step, seconds, measured: true });
    }
  }
  return plan;
}

/** Appends to `steps` as each concurrency finishes, so a run stopped midway keeps what it measured. */
export async function runThroughput(env: BenchEnv, o: ThroughputOptions, steps: ThroughputStep[] = []): Promise<ThroughputStep[]> {
  const target = encodeURIComponent(`https://127.0.0.1:${LOCAL_PORT}/`);
  const pair: Driven[] = [];
  try {
    const ours = await startO365(env.lab, o365Config({ caFile: env.certs.caFile, targets: 0, intervalSeconds: 15, probeThreads: env.probeThreads }), env.certs.caFile, { node: env.exporterNode });
    pair.push({ exporter: ours, url: `${ours.baseUrl}/probe?target=${target}&module=${O365_MODULE_LOCAL}` });
    const bb = await startBlackbox(env.lab, blackboxConfig(env.certs.caFile));
    pair.push({ exporter: bb, url: `${bb.baseUrl}/probe?target=${target}&module=${BLACKBOX_MODULE_LOCAL}` });
    await runPlan(env, pair, throughputPlan(o), (c, turns) => {
      pair.forEach((d, i) => {
        const s = pool(d.exporter.kind, c, turns[i] as Turn[]);
        steps.push(s);
        env.log(`throughput ${s.exporter} c=${c}: ${s.probesPerSecond.toFixed(0)} probes/s, ${s.cpuSecondsPer1000.toFixed(2)} CPU s/1000, failed ${s.failed}, ${o.rounds} rounds`);
      });
    });
  } finally {
    for (const d of pair) await d.exporter.stop();
  }
  return steps;
}

/**
 * Runs the loads in order. Unmeasured ones are the warm-up: the first TLS contexts for both
 * and the start of V8's compiling of this exporter's probe path, which goes on for ~25 s of
 * load (README, "How it measures"). `done` gets each concurrency's turns once its last one ran.
 */
async function runPlan(env: BenchEnv, pair: readonly Driven[], plan: readonly Load[], done: (concurrency: number, turns: Turn[][]) => void): Promise<void> {
  let turns: Turn[][] = pair.map(() => []);
  for (const [k, load] of plan.entries()) {
    const d = pair[load.exporter] as Driven;
    if (!load.measured) {
      await wrk(env, d.url, load.concurrency, load.seconds);
      continue;
    }
    (turns[load.exporter] as Turn[]).push(await turn(env, d.exporter, d.url, load.concurrency, load.seconds));
    const next = plan[k + 1];
    if (next?.measured === true && next.step === load.step) continue;
    done(load.concurrency, turns);
    turns = pair.map(() => []);
  }
}
