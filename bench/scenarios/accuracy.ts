/**
 * Accuracy against a known truth: both exporters probe the far HTTPS server across the
 * emulated link for each RTT, first alone, then while this exporter runs `loadTargets`
 * scheduled probes on loopback (and blackbox_exporter gets the same /probe load).
 */
import { rmSync } from 'node:fs';
import { blackboxConfig, BLACKBOX_MODULE_FAR, BLACKBOX_MODULE_LOCAL, localUrl, o365Config, O365_MODULE_FAR } from '../lib/configs.js';
import { startBlackbox, startO365, type Exporter } from '../lib/exporters.js';
import { startProbeLoad, type LoadStats } from '../lib/load.js';
import { scratchDir } from '../lib/scratch.js';
import { buildReferenceClient, referenceClientOn, type ReferenceClient } from '../lib/reference-client.js';
import { startIdleSpinners, type IdleSpinners } from '../lib/idle-spinners.js';
import { buildWakeWitness, wakeWitnessOn, WITNESS_PERIOD_US, type WakeWitness } from '../lib/wake-witness.js';
import type { BenchEnv } from './env.js';
import { runCase, type AccuracyCase, type CaseResult } from './accuracy-case.js';

export interface AccuracyOptions {
  rttsMs: number[];
  jitter: { rttMs: number; jitterMs: number };
  /** Also the jitter and TLS 1.2 cases (false: only the floor and the plain RTTs, for quick runs). */
  extras: boolean;
  probes: number;
  warmup: number;
  loadTargets: number;
  loadIntervalSeconds: number;
  /**
   * Seconds both exporters carry the load before the loaded cases are measured. The
   * exporter's first half-minute after /-/ready is start-up, not the steady state a site
   * runs in: JIT tiers, the heap growing to its working size (the first full collections).
   */
  loadWarmupSeconds: number;
  /**
   * Seconds the idle exporter runs before the idle cases are measured. About 16 s after it
   * starts, once its start-up allocation has stopped, V8's memory reducer runs two full
   * collections that hold the event loop ~20 ms each (CPU profile and --trace-gc, 2026-12-04):
   * start-up, which a site running for days does not see, landing in the 40 ms idle case.
   */
  idleWarmupSeconds: number;
  caseSeconds: number;
  /** Where the reference client (lib/reference-client.ts) probes beside the exporters. */
  reference: 'idle' | 'all' | 'off';
}

export interface AccuracyResult {
  cases: CaseResult[];
  /** Why the reference client did not run, when asked for. */
  referenceSkipped?: string;
  /** Why the wake witness did not run (no C compiler). */
  witnessSkipped?: string;
  /** Why the idle spinners (--cpu-idle=spin) stopped before the idle cases ended: the kernel's stall report. */
  spinnersStopped?: string;
  load: { targets: number; intervalSeconds: number; blackbox?: LoadStats };
}

export function accuracyCases(o: AccuracyOptions, loaded: boolean): AccuracyCase[] {
  const plain = (rttMs: number): AccuracyCase => ({ label: `${rttMs} ms`, rttMs, jitterMs: 0, tls: '1.3', loaded });
  const cases = [
    ...(loaded ? [] : [{ ...plain(0), label: '0 ms (floor)' }]),
    ...o.rttsMs.map(plain),
    ...(o.extras ? [{ ...plain(o.jitter.rttMs), label: `${o.jitter.rttMs} ms +-${o.jitter.jitterMs} ms`, jitterMs: o.jitter.jitterMs }] : []),
    ...(loaded || !o.extras ? [] : [{ ...plain(o.jitter.rttMs), label: `${o.jitter.rttMs} ms TLS 1.2`, tls: '1.2' as const }]),
  ];
  return cases.map((c) => (loaded ? { ...c, label: `${c.label}, loaded` } : c));
}

/** Fills `out` as each case finishes, so a run stopped midway keeps what it measured. */
export async function runAccuracy(env: BenchEnv, o: AccuracyOptions, out: AccuracyResult = { cases: [], load: { targets: 0, intervalSeconds: 0 } }): Promise<AccuracyResult> {
  const { lab, certs, log } = env;
  const { cases } = out;
  out.load = { targets: o.loadTargets, intervalSeconds: o.loadIntervalSeconds };
  const blackbox = await startBlackbox(lab, blackboxConfig(certs.caFile));
  let ours: Exporter | undefined;
  const sampleThreads = (env.probeThreads ?? 0) > 0;
  const buildDir = scratchDir('o365-bench-ref-');
  let reference: ReferenceClient | undefined;
  let witness: WakeWitness | undefined;
  let spinners: IdleSpinners | undefined;
  let measuring: string | undefined;
  const measure = async (list: AccuracyCase[]) => {
    const exporters = [
      { exporter: ours as Exporter, module: O365_MODULE_FAR },
      { exporter: blackbox, module: BLACKBOX_MODULE_FAR },
    ];
    for (const c of list) {
      const started = Date.now();
      measuring = c.label;
      const withReference = reference && (o.reference === 'all' || !c.loaded) ? { reference } : {};
      const result = await runCase(c, { lab, exporters, probes: o.probes, warmup: o.warmup, deadlineMs: o.caseSeconds * 1000, sampleThreads, ...withReference, ...(witness ? { witness } : {}) });
      cases.push(result);
      measuring = undefined;
      log(`accuracy ${c.label}: ${result.exporters.map((e) => `${e.exporter} ${e.probes} probes`).join(', ')} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  };
  try {
    reference = await referenceClient(env, o, buildDir, out);
    witness = await wakeWitness(env, buildDir, out);
    if (env.idleSpin) {
      spinners = startIdleSpinners({
        onStall: (message) => {
          out.spinnersStopped = `${measuring === undefined ? 'between cases' : `in the ${measuring} case`}, the kernel logged "${message}"`;
          log(`accuracy: idle spinners stopped by their guard ${out.spinnersStopped}; the idle cases go on without them`);
        },
      });
      const guard = spinners.guarded ? 'stopped if the kernel reports a stall' : 'unguarded: the kernel log (/dev/kmsg) cannot be read';
      log(`accuracy: a SCHED_IDLE busy loop on each of ${spinners.procs.length} CPUs through the idle cases (--cpu-idle=spin), ${guard}`);
    }
    ours = await startO365(lab, o365Config({ caFile: certs.caFile, targets: 0, intervalSeconds: 15, probeThreads: env.probeThreads }), certs.caFile, { node: env.exporterNode });
    await settle(log, 'this exporter runs idle', o.idleWarmupSeconds);
    await measure(accuracyCases(o, false));
    // Idle cases only: under load the CPUs seldom halt, and spinning vCPUs that never rest
    // made the loaded cases' stalls worse (the 10:53 run of 2026-12-04, results/idle-spinners/).
    if (spinners) {
      const early = spinners.stoppedFor() !== undefined; // the guard has said so already
      await spinners.stop();
      spinners = undefined;
      if (!early) log('accuracy: idle spinners stopped');
    }
    await ours.stop();
    ours = undefined;
    if (o.loadTargets <= 0) return out;

    log(`accuracy: starting this exporter with ${o.loadTargets} scheduled local targets every ${o.loadIntervalSeconds} s`);
    const config = o365Config({ caFile: certs.caFile, targets: o.loadTargets, intervalSeconds: o.loadIntervalSeconds, probeThreads: env.probeThreads });
    ours = await startO365(lab, config, certs.caFile, { waitReady: true, node: env.exporterNode });
    const targets = Array.from({ length: o.loadTargets }, (_, i) => localUrl(i));
    const load = startProbeLoad(blackbox, BLACKBOX_MODULE_LOCAL, targets, o.loadIntervalSeconds);
    try {
      await settle(log, 'both exporters carry the load', o.loadWarmupSeconds);
      await measure(accuracyCases(o, true));
    } finally {
      out.load.blackbox = await load.stop();
    }
    return out;
  } finally {
    await ours?.stop();
    await blackbox.stop();
    await reference?.stop();
    await witness?.stop();
    await spinners?.stop();
    rmSync(buildDir, { recursive: true, force: true });
  }
}

/** Waits out an exporter's start-up before measuring, saying so. */
async function settle(log: BenchEnv['log'], what: string, seconds: number): Promise<void> {
  if (seconds <= 0) return;
  log(`accuracy: ${what} for ${seconds} s before measuring`);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

async function referenceClient(env: BenchEnv, o: AccuracyOptions, buildDir: string, out: AccuracyResult): Promise<ReferenceClient | undefined> {
  if (o.reference === 'off') return undefined;
  const built = buildReferenceClient(buildDir);
  if (!built.binary) {
    out.referenceSkipped = built.reason ?? 'not built';
    env.log(`accuracy: no reference client: ${out.referenceSkipped}`);
    return undefined;
  }
  return referenceClientOn(env.lab.exec(env.lab.near, 'reference-client', built.binary, [env.certs.caFile]));
}

async function wakeWitness(env: BenchEnv, buildDir: string, out: AccuracyResult): Promise<WakeWitness | undefined> {
  const built = buildWakeWitness(buildDir);
  if (!built.binary) {
    out.witnessSkipped = built.reason ?? 'not built';
    env.log(`accuracy: no wake witness: ${out.witnessSkipped}`);
    return undefined;
  }
  // In the near namespace at the exporters' niceness (lab.exec), sleeping as one of them would.
  return wakeWitnessOn(env.lab.exec(env.lab.near, 'wake-witness', built.binary, [String(WITNESS_PERIOD_US)]));
}
