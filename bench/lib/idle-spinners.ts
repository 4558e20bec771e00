/**
 * A user-space idle=poll for the idle accuracy cases (--cpu-idle=spin): one busy loop per CPU,
 * pinned, at SCHED_IDLE, so that a CPU with nothing else to do spins instead of halting and
 * any other task takes it at once. For VMs whose kernel binds no cpuidle driver, where the
 * 0 us request changes nothing and a halted vCPU's wake-up is the host's: on the VM of
 * 2026-12-04 a process that only slept was woken up to 15 ms late without them, under 3 ms
 * with them (results/idle-spinners/). Not in the loaded cases, where they made stalls worse.
 *
 * On that VM they once went with five minutes in which CPU 0's kernel workers did not run
 * (the kernel's "workqueue lockup"; exiting processes hung in D state meanwhile). So while
 * they run, the kernel's log is watched for its own stall reports, and the first one stops
 * them at once.
 */
import { availableParallelism } from 'node:os';
import { followKernelLog } from './kernel-log.js';
import { start, type Proc } from './procs.js';

/** Linux's SCHED_IDLE, as /proc/PID/stat's policy field reads it. */
export const SCHED_IDLE = 5;

/** The kernel's reports of CPUs or tasks not getting their turn. */
export const KERNEL_STALL = /workqueue lockup|blocked for more than \d+ seconds|rcu_\w+ (?:self-)?detected stalls?|soft lockup/;

export interface IdleSpinners {
  procs: Proc[];
  /** Whether the kernel's log could be followed (without it nothing stops them early). */
  guarded: boolean;
  /** What the kernel logged when it made the guard stop the spinners (undefined while none). */
  stoppedFor(): string | undefined;
  stop(): Promise<void>;
}

export interface SpinnerOptions {
  cpus?: number;
  /** The kernel log to watch (default /dev/kmsg; unreadable: no guard). */
  kernelLog?: string;
  /** How often to read it. */
  checkMs?: number;
  /** Told once, after the guard stopped the spinners. */
  onStall?: (message: string) => void;
}

/** `taskset -c N chrt -i 0 sh -c 'while :; do :; done'` for N in 0..cpus-1 (each execs: the pid is the loop's). */
export function startIdleSpinners(options: SpinnerOptions = {}): IdleSpinners {
  const { cpus = availableParallelism(), checkMs = 1000 } = options;
  const kernel = followKernelLog(options.kernelLog);
  const procs = Array.from({ length: cpus }, (_, cpu) => start(`idle spinner ${cpu}`, 'taskset', ['-c', String(cpu), 'chrt', '-i', '0', 'sh', '-c', 'while :; do :; done']));
  let stall: string | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(guard);
      kernel?.close();
      await Promise.all(procs.map((p) => p.stop()));
    })();
    return stopping;
  };
  const check = () => {
    let message: string | undefined;
    try {
      message = kernel?.poll().find((m) => KERNEL_STALL.test(m));
    } catch {
      clearInterval(guard); // the log went unreadable: the spinners run on unguarded, as without it
      return;
    }
    if (message === undefined || stall !== undefined) return;
    stall = message;
    void stop().then(() => options.onStall?.(message));
  };
  const guard = kernel ? setInterval(check, checkMs).unref() : undefined;
  return { procs, guarded: kernel !== undefined, stoppedFor: () => stall, stop };
}
