/**
 * The CPUs' idle state while the bench runs. An idle CPU that halts (a VM's vCPU handed back
 * to the hypervisor, a deep C-state on bare metal) takes time to wake when a packet or a
 * timer arrives, and that wake-up lands in every phase every client times: the host's, not
 * the exporter's. A PM QoS request of 0 us on /dev/cpu_dma_latency, held open for the run
 * (what cyclictest and tuned's latency-performance profile do), keeps cpuidle in its
 * polling state, which leaves the moment anything becomes runnable. The request ends when
 * the file is closed, or when the process dies.
 */
import { closeSync, constants, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** poll: the 0 us request; spin: that and, in the idle accuracy cases, a SCHED_IDLE busy loop per CPU (idle-spinners.ts). */
export type CpuIdleMode = 'poll' | 'spin' | 'default';

export interface CpuIdleState {
  /** What was asked (--cpu-idle). */
  requested: CpuIdleMode;
  /** Whether the 0 us request is held. */
  held: boolean;
  /** The cpuidle driver ('none' without one: the kernel halts idle CPUs and the request changes nothing). */
  driver: string;
  /** Why the request is not held or has no effect. */
  why?: string;
  /** Idle entries during the run, all CPUs, from cpuidle's counters: polling and the deeper states. */
  entries?: IdleEntries;
}

export interface IdleEntries {
  poll: number;
  deeper: number;
}

export interface CpuIdleHold {
  state: CpuIdleState;
  /** Ends the request and fills state.entries with the entries since the hold began. */
  release(): void;
}

export interface CpuIdlePaths {
  device: string;
  /** /sys/devices/system/cpu: cpuidle/current_driver and cpuN/cpuidle/stateM/{name,usage}. */
  cpuDir: string;
}

const SYSTEM: CpuIdlePaths = { device: '/dev/cpu_dma_latency', cpuDir: '/sys/devices/system/cpu' };

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Entries into each idle state so far, summed over CPUs: POLL apart from the rest. */
export function idleEntries(cpuDir = SYSTEM.cpuDir): IdleEntries {
  const total: IdleEntries = { poll: 0, deeper: 0 };
  const cpus = readdirSync(cpuDir).filter((name) => /^cpu\d+$/.test(name));
  for (const cpu of cpus) {
    const dir = join(cpuDir, cpu, 'cpuidle');
    let states: string[];
    try {
      states = readdirSync(dir).filter((name) => /^state\d+$/.test(name));
    } catch {
      continue; // no cpuidle for this CPU
    }
    for (const state of states) {
      const usage = Number(readText(join(dir, state, 'usage')) ?? 0);
      if (readText(join(dir, state, 'name')) === 'POLL') total.poll += usage;
      else total.deeper += usage;
    }
  }
  return total;
}

const since = (before: IdleEntries, after: IdleEntries): IdleEntries => ({ poll: after.poll - before.poll, deeper: after.deeper - before.deeper });

/** Opens the QoS device and writes 0 us (a binary s32, as the kernel reads it); the fd is the request. */
function requestZeroLatency(device: string): number {
  const fd = openSync(device, constants.O_WRONLY);
  try {
    const zero = Buffer.alloc(4);
    zero.writeInt32LE(0);
    writeSync(fd, zero);
    return fd;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}

/** Holds the CPUs at polling when asked and able; never throws (the run goes on at the default, saying why). */
export function holdCpuIdle(mode: CpuIdleMode, paths: CpuIdlePaths = SYSTEM): CpuIdleHold {
  const driver = readText(join(paths.cpuDir, 'cpuidle', 'current_driver')) ?? 'none';
  const state: CpuIdleState = { requested: mode, held: false, driver };
  let before: IdleEntries | undefined;
  try {
    before = idleEntries(paths.cpuDir);
  } catch {
    // no cpu directory to read: no counts for this run
  }
  let fd: number | undefined;
  let released = false;
  if (mode !== 'default') {
    try {
      fd = requestZeroLatency(paths.device);
      state.held = true;
      if (driver === 'none') state.why = 'idle CPUs halt whatever is asked';
    } catch (err) {
      state.why = `${paths.device}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
    }
  }
  return {
    state,
    release() {
      if (released) return;
      released = true;
      if (fd !== undefined) closeSync(fd);
      try {
        if (before) state.entries = since(before, idleEntries(paths.cpuDir));
      } catch {
        // the counters went away: no counts
      }
    },
  };
}

/** One line for the log and the report's header. */
export function describeCpuIdle(state: CpuIdleState): string {
  const how = state.held
    ? `held at polling (/dev/cpu_dma_latency 0 us, cpuidle driver ${state.driver}${state.why ? `: ${state.why}` : ''})`
    : `left to the kernel (${state.why ?? '--cpu-idle=default'})`;
  const spin =
    state.requested === 'spin'
      ? '; idle accuracy cases with a SCHED_IDLE busy loop per CPU (machine CPU busy reads ~100 % per CPU there)'
      : state.held && state.driver === 'none'
        ? '; `--cpu-idle=spin` would keep them from halting in the idle accuracy cases (bench/results/idle-spinners/)'
        : '';
  const e = state.entries;
  const total = e ? e.poll + e.deeper : 0;
  return e && total > 0 ? `${how}${spin}; ${((e.poll / total) * 100).toFixed(1)} % of ${total} idle entries polled` : how + spin;
}
