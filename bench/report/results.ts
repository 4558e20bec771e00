/** The shape of bench/results/latest.json, and the machine it was measured on. */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';
import type { CertKey } from '../lib/certs.js';
import type { CpuIdleState } from '../lib/cpu-idle.js';
import type { BenchFlags } from '../lib/flags.js';
import type { AccuracyResult } from '../scenarios/accuracy.js';
import type { ScheduledResult } from '../scenarios/scheduled.js';
import type { ThroughputStep } from '../scenarios/throughput.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  kernel: string;
  node: string;
  blackbox: string;
}

export interface BenchResults {
  date: string;
  machine: Machine;
  flags: BenchFlags;
  durationSeconds: number;
  /** 1/5/15-minute load averages of the machine (other users' work shows here). */
  loadAverage: { start: number[]; end?: number[] };
  /** CPU stolen by the hypervisor over the whole run, % of one core (absent before 2026-12-03). */
  stealPercent?: number;
  /**
   * What ran, not what was asked (--link/--far "auto" picks by what is installed). linkClock:
   * where packet times start (lib/lab.ts); absent in runs before 2026-11-27 22:50 UTC, which
   * used the emulator's read. cpuIdle: absent before 2026-12-03 13:30 UTC (CPUs idled as the
   * kernel chose).
   */
  lab?: { link: string; linkClock?: 'kernel' | 'read'; far: string; certKey?: CertKey; probeThreads?: number; exporterNode?: { node: string; openssl: string }; cpuIdle?: CpuIdleState };
  accuracy?: AccuracyResult;
  throughput?: ThroughputStep[];
  scheduled?: ScheduledResult[];
  /** Scenarios that failed; what they measured before failing is kept above. */
  errors?: { scenario: string; message: string }[];
}

/**
 * Steps by concurrency, lowest first, whatever order they were measured in (a stable sort: a
 * repeated concurrency keeps its order), so reports read alike across runs.
 */
export function byConcurrency(steps: readonly ThroughputStep[]): ThroughputStep[] {
  return [...steps].sort((a, b) => a.concurrency - b.concurrency);
}

/** The steps' concurrencies in the order the steps hold them (as measured, unless sorted), each once. */
export function concurrencies(steps: readonly ThroughputStep[]): number[] {
  return [...new Set(steps.map((s) => s.concurrency))];
}

export function describeMachine(): Machine {
  let blackbox = 'unknown';
  try {
    const out = execFileSync('prometheus-blackbox-exporter', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    blackbox = /version (\S+)/.exec(out)?.[1] ?? blackbox;
  } catch (err) {
    // --version prints to stderr in older builds
    const text = String((err as { stderr?: unknown }).stderr ?? '');
    blackbox = /version (\S+)/.exec(text)?.[1] ?? blackbox;
  }
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    blackbox,
  };
}
