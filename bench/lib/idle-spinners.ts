/**
 * A user-space idle=poll for the idle accuracy cases (--cpu-idle=spin): one busy loop per CPU,
 * pinned, at SCHED_IDLE, so that a CPU with nothing else to do spins instead of halting and
 * any other task takes it at once. For VMs whose kernel binds no cpuidle driver, where the
 * 0 us request changes nothing and a halted vCPU's wake-up is the host's: on the VM of
 * 2026-12-04 a process that only slept was woken up to 15 ms late without them, under 3 ms
 * with them (results/idle-spinners/). Not in the loaded cases, where they made stalls worse.
 */
import { availableParallelism } from 'node:os';
import { start, type Proc } from './procs.js';

/** Linux's SCHED_IDLE, as /proc/PID/stat's policy field reads it. */
export const SCHED_IDLE = 5;

export interface IdleSpinners {
  procs: Proc[];
  stop(): Promise<void>;
}

/** `taskset -c N chrt -i 0 sh -c 'while :; do :; done'` for N in 0..cpus-1 (each execs: the pid is the loop's). */
export function startIdleSpinners(cpus = availableParallelism()): IdleSpinners {
  const procs = Array.from({ length: cpus }, (_, cpu) => start(`idle spinner ${cpu}`, 'taskset', ['-c', String(cpu), 'chrt', '-i', '0', 'sh', '-c', 'while :; do :; done']));
  return {
    procs,
    async stop() {
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}
