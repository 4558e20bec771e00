/**
 * The accuracy cases' idle spinners (--cpu-idle=spin) for real: one busy loop per CPU asked
 * for, each pinned to its CPU and at SCHED_IDLE (so any other task takes the CPU at once),
 * and all gone after stop().
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SCHED_IDLE, startIdleSpinners, type IdleSpinners } from '../../bench/lib/idle-spinners.js';
import { sleep, statField } from '../../bench/lib/procs.js';

const cpusAllowed = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

let spinners: IdleSpinners | undefined;

afterEach(async () => {
  await spinners?.stop();
  spinners = undefined;
});

describe('idle spinners', () => {
  it('runs one busy loop per CPU, pinned and at SCHED_IDLE, and stops them all', async () => {
    spinners = startIdleSpinners(2);
    // taskset and chrt exec into the loop: wait until the pid is the shell, set up.
    const ready = async (pid: number) => {
      for (let i = 0; i < 100 && statField(pid, 41) !== String(SCHED_IDLE); i++) await sleep(20);
    };
    const pids = spinners.procs.map((p) => p.pid);
    for (const pid of pids) await ready(pid);
    expect(pids.map((pid) => statField(pid, 41))).toEqual([String(SCHED_IDLE), String(SCHED_IDLE)]);
    expect(pids.map(cpusAllowed)).toEqual(['0', '1']);
    // Spinning: runnable (R), not asleep.
    await sleep(100);
    expect(pids.map((pid) => statField(pid, 3))).toEqual(['R', 'R']);
    await spinners.stop();
    spinners = undefined;
    expect(pids.map((pid) => existsSync(`/proc/${pid}`))).toEqual([false, false]);
  });
});
