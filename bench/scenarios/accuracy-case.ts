/**
 * One accuracy case: set the link, probe the far HTTPS server through both exporters in
 * turn (one probe on the link at a time, so the packet log of each probe is its own), and
 * compare each reported phase with the truth: the injected RTT times the phase's round
 * trips (nominal), and what the link emulator saw on the wire.
 */
import { FAR_HOST } from '../lib/certs.js';
import { probe, scrape, type Exporter, type ProbePhases } from '../lib/exporters.js';
import type { Lab } from '../lib/lab.js';
import type { Packet } from '../lib/link.js';
import { machineCpuSeconds } from '../lib/procs.js';
import { value } from '../lib/prom-text.js';
import type { ReferenceClient, Spans } from '../lib/reference-client.js';
import type { WakeLateness, WakeWitness } from '../lib/wake-witness.js';
import { quantile, summarizeErrors, type ErrorSummary } from '../lib/stats.js';
import { wireSpans, wireTruth, type WireSpans, type WireTruth } from '../lib/wire-truth.js';
import { EVENT_LOOP_SAMPLING_MS } from '../../src/metrics/registries.js';
import { LAG_REPORT_MS } from '../../src/scheduler/worker-messages.js';

export const PHASES = ['dns', 'connect', 'tls', 'first_byte'] as const;
export type AccuracyPhase = (typeof PHASES)[number];

export interface AccuracyCase {
  label: string;
  rttMs: number;
  /** Uniform +- jitter on each one-way delay (netem `delay D J` style). */
  jitterMs: number;
  tls: '1.3' | '1.2';
  loaded: boolean;
}

export interface PhaseResult {
  phase: AccuracyPhase;
  roundTrips: number;
  reportedMedianMs: number;
  /** Reported minus injected RTT x round trips, in ms. */
  nominal: ErrorSummary;
  /** Reported minus the wire truth, in ms: the exporter's own error. */
  wire: ErrorSummary;
}

/** The two exporters, and the reference client (a blocking C client, see lib/reference-client.ts). */
export type ProberKind = Exporter['kind'] | 'reference';

/** Median and p99 of one side of the host's path, microseconds. */
export interface PathFigure {
  median: number;
  p99: number;
}

/**
 * The reference client's stamps against the wire (lib/wire-truth.ts): `send` from its stamp
 * before the system call to the packet's start on the wire, `receive` from the answer's end
 * on the wire to its stamp after the call returned. The host's own path both ways (system
 * call, delivery, wake-up), in every client's "vs wire" figure. (Named labPaths in results
 * JSON since the first runs.)
 */
export interface LabPath {
  phase: AccuracyPhase;
  send: PathFigure;
  receive: PathFigure;
}

export interface ExporterCaseResult {
  exporter: ProberKind;
  probes: number;
  failures: number;
  tlsVersion?: string;
  phases: PhaseResult[];
  /** Reference client only. */
  labPaths?: LabPath[];
}

export interface CaseResult extends AccuracyCase {
  exporters: ExporterCaseResult[];
  /** How late the link emulator delivered packets (sent - due), microseconds. */
  linkLatenessUs: { median: number; p99: number; max: number };
  /** CPU busy on the whole machine during the case, % of one core (everything, not only the bench). */
  machineBusyPercent: number;
  /** CPU stolen by the hypervisor during the case, % of one core (absent in results before 2026-12-03). */
  machineStealPercent?: number;
  /** Event-loop delay since the previous scrape, seconds, beyond prom-client's 10 ms sampling interval. */
  eventLoop?: { p50: number; p99: number; max: number };
  /**
   * With scheduler.probe_threads > 0 the probes are timed on the threads' loops: their delay,
   * seconds, sampled each report window through the case (worst thread and window for p99 and
   * max, median of the windows' medians).
   */
  threadLoop?: { p50: number; p99: number; max: number };
  /**
   * How late a process that only sleeps on a 5 ms timer woke during the case (lib/wake-witness.ts):
   * what the host did to any sleeping thread then (absent without a C compiler, and before 2026-12-04).
   */
  wakeWitness?: WakeLateness;
}

export interface CaseRunner {
  lab: Lab;
  exporters: { exporter: Exporter; module: string }[];
  probes: number;
  warmup: number;
  /** The case stops here even if fewer probes were made. */
  deadlineMs: number;
  /** This exporter runs probe threads: scrape their event-loop delay through the case. */
  sampleThreads?: boolean;
  /** Probes after the exporters in each round when given. */
  reference?: ReferenceClient;
  /** Windowed around the case when given. */
  witness?: WakeWitness;
}

interface Observation {
  reported: ProbePhases;
  truth: WireTruth;
  wire: WireSpans;
  /** The reference client's own stamps. */
  spans?: Spans;
}

interface Prober {
  kind: ProberKind;
  probe(): Promise<ProbePhases & { spans?: Spans }>;
}

const RESPONSE_MIN_BYTES = 1000;

function phaseResult(phase: AccuracyPhase, roundTrips: number, rttMs: number, obs: Observation[]): PhaseResult {
  const ms = (s: number) => s * 1000;
  const pairs = obs.flatMap((o) => {
    const reported = o.reported[phase];
    const truth = o.truth[phase];
    return reported === undefined || truth === undefined ? [] : [{ reported: ms(reported), truth: ms(truth) }];
  });
  return {
    phase,
    roundTrips,
    reportedMedianMs: quantile(pairs.map((p) => p.reported), 0.5),
    nominal: summarizeErrors(pairs.map((p) => p.reported - rttMs * roundTrips)),
    wire: summarizeErrors(pairs.map((p) => p.reported - p.truth)),
  };
}

export async function runCase(c: AccuracyCase, run: CaseRunner): Promise<CaseResult> {
  const { lab } = run;
  await lab.link.set(c.rttMs / 2, c.jitterMs, 0);
  const port = c.tls === '1.3' ? 443 : 8444;
  const target = `https://${FAR_HOST}${port === 443 ? '' : `:${port}`}/`;
  const shape = { port, tlsRoundTrips: c.tls === '1.3' ? 1 : 2, minResponseBytes: RESPONSE_MIN_BYTES };
  const probers: Prober[] = run.exporters.map(({ exporter, module }) => ({ kind: exporter.kind, probe: () => probe(exporter, target, module) }));
  const { reference } = run;
  if (reference) probers.push({ kind: 'reference', probe: () => reference.probe(FAR_HOST, port, '/') });
  const obs = new Map<ProberKind, Observation[]>(probers.map((p) => [p.kind, []]));
  const failures = new Map<ProberKind, number>();
  const lateness: number[] = [];
  const ours = run.exporters.find((e) => e.exporter.kind === 'o365')?.exporter;
  if (ours) await scrape(ours); // resets prom-client's event-loop histogram
  await run.witness?.window(); // and the witness's: the case's own window starts here
  const deadline = Date.now() + run.deadlineMs;
  const cpu0 = machineCpuSeconds();
  const t0 = Date.now();
  const threadLag = ours && run.sampleThreads ? sampleThreadLag(ours) : undefined;

  for (let round = 0; round < run.warmup + run.probes && Date.now() < deadline; round++) {
    for (const prober of probers) {
      await lab.link.dump();
      const reported = await prober.probe();
      const packets: Packet[] = await lab.link.dump();
      if (round < run.warmup) continue;
      if (!reported.success) {
        failures.set(prober.kind, (failures.get(prober.kind) ?? 0) + 1);
        continue;
      }
      for (const p of packets) lateness.push((p.sent - p.due) / 1000);
      const observation: Observation = { reported, truth: wireTruth(packets, shape), wire: wireSpans(packets, shape) };
      if (reported.spans) observation.spans = reported.spans;
      obs.get(prober.kind)?.push(observation);
    }
  }

  const seconds = (Date.now() - t0) / 1000;
  const cpu = machineCpuSeconds();
  const machineBusyPercent = ((cpu.busy - cpu0.busy) / seconds) * 100;
  const machineStealPercent = ((cpu.steal - cpu0.steal) / seconds) * 100;
  const eventLoop = ours ? await eventLoopOf(ours) : undefined;
  const wakeWitness = await run.witness?.window();
  const threadLoop = await threadLag?.stop();
  const exporters = probers.map(({ kind }) => {
    const list = obs.get(kind) ?? [];
    const roundTrips: Record<AccuracyPhase, number> = { dns: 1, connect: 1, tls: shape.tlsRoundTrips, first_byte: 1 };
    const result: ExporterCaseResult = {
      exporter: kind,
      probes: list.length,
      failures: failures.get(kind) ?? 0,
      tlsVersion: list[0]?.reported.tlsVersion,
      phases: PHASES.map((phase) => phaseResult(phase, roundTrips[phase], c.rttMs, list)),
    };
    if (kind === 'reference') result.labPaths = PHASES.map((phase) => labPath(phase, list));
    return result;
  });
  const linkLatenessUs = { median: quantile(lateness, 0.5), p99: quantile(lateness, 0.99), max: lateness.length ? Math.max(...lateness) : NaN };
  return { ...c, exporters, linkLatenessUs, machineBusyPercent, machineStealPercent, ...(eventLoop ? { eventLoop } : {}), ...(threadLoop ? { threadLoop } : {}), ...(wakeWitness ? { wakeWitness } : {}) };
}

/** The reference client's stamps against the emulator's, per probe (see LabPath). */
export function labPath(phase: AccuracyPhase, obs: readonly Pick<Observation, 'wire' | 'spans'>[]): LabPath {
  const send: number[] = [];
  const receive: number[] = [];
  for (const o of obs) {
    const own = o.spans?.[phase];
    const wire = o.wire[phase];
    if (!own || !wire) continue;
    send.push((wire.from - own[0]) / 1000);
    receive.push((own[1] - wire.to) / 1000);
  }
  const figure = (list: number[]): PathFigure => ({ median: quantile(list, 0.5), p99: quantile(list, 0.99) });
  return { phase, send: figure(send), receive: figure(receive) };
}

/**
 * prom-client's event-loop figures are the intervals between the ticks of a timer it runs
 * every EVENT_LOOP_SAMPLING_MS (perf_hooks.monitorEventLoopDelay), that interval included: an
 * idle process reads p50 ~10.3 ms. The delay itself is that minus the interval (a tick due at
 * +10 ms that ran at +13 ms was 3 ms late), floored at 0 (libuv's millisecond clock lets a tick
 * come early).
 */
const PROM_CLIENT_LAG_INTERVAL_SECONDS = EVENT_LOOP_SAMPLING_MS / 1000;

async function eventLoopOf(exporter: Exporter): Promise<CaseResult['eventLoop']> {
  const { samples } = await scrape(exporter);
  const delay = (name: string) => Math.max(0, (value(samples, name) ?? NaN) - PROM_CLIENT_LAG_INTERVAL_SECONDS);
  return { p50: delay('nodejs_eventloop_lag_p50_seconds'), p99: delay('nodejs_eventloop_lag_p99_seconds'), max: delay('nodejs_eventloop_lag_max_seconds') };
}

/** The probe threads report every LAG_REPORT_MS: scrape as often (and at the end), keep every thread's window. */
function sampleThreadLag(exporter: Exporter): { stop(): Promise<CaseResult['threadLoop']> } {
  const windows: { p50: number; p99: number; max: number }[] = [];
  const take = async () => {
    const { samples } = await scrape(exporter);
    const name = (figure: string) => `o365_exporter_probe_thread_eventloop_lag_${figure}_seconds`;
    const delay = (figure: string, thread: string) => Math.max(0, (value(samples, name(figure), { thread }) ?? NaN) - PROM_CLIENT_LAG_INTERVAL_SECONDS);
    for (const s of samples.filter((x) => x.name === name('p99'))) {
      const thread = s.labels.thread ?? '';
      windows.push({ p50: delay('p50', thread), p99: delay('p99', thread), max: delay('max', thread) });
    }
  };
  let pending = Promise.resolve();
  const timer = setInterval(() => (pending = pending.then(take, () => undefined)), LAG_REPORT_MS);
  return {
    async stop() {
      clearInterval(timer);
      // And the last report (a case shorter than one window has only this one).
      await pending.then(take).catch(() => undefined);
      if (windows.length === 0) return undefined;
      return { p50: quantile(windows.map((w) => w.p50), 0.5), p99: Math.max(...windows.map((w) => w.p99)), max: Math.max(...windows.map((w) => w.max)) };
    },
  };
}
