/**
 * The accuracy cases' idle spinners (--cpu-idle=spin) for real: one busy loop per CPU asked
 * for, each pinned to its CPU and at SCHED_IDLE (so any other task takes the CPU at once),
 * and all gone after stop(); and their guard, which stops them when the kernel logs a stall.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KERNEL_STALL, SCHED_IDLE, startIdleSpinners, type IdleSpinners } from '../../bench/lib/idle-spinners.js';
import { sleep, statField } from '../../bench/lib/procs.js';

const cpusAllowed = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];

let spinners: IdleSpinners | undefined;
let dir: string | undefined;

afterEach(async () => {
  await spinners?.stop();
  spinners = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A file in /dev/kmsg's record format standing in for the kernel's log. */
function fakeKernelLog(): string {
  dir = mkdtempSync(join(tmpdir(), 'o365-kmsg-'));
  const path = join(dir, 'kmsg');
  writeFileSync(path, '4,100,1000,-;BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 41s!\n'); // before the start: not a stall of this run
  return path;
}

const alive = (pids: number[]) => pids.map((pid) => existsSync(`/proc/${pid}`));

describe('idle spinners', () => {
  it('runs one busy loop per CPU, pinned and at SCHED_IDLE, and stops them all', async () => {
    spinners = startIdleSpinners({ cpus: 2 });
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

  it('stops the spinners when the kernel logs a stall after they started, and says what it logged', async () => {
    const log = fakeKernelLog();
    const stalls: string[] = [];
    spinners = startIdleSpinners({ cpus: 1, kernelLog: log, checkMs: 20, onStall: (m) => stalls.push(m) });
    expect(spinners.guarded).toBe(true);
    const pids = spinners.procs.map((p) => p.pid);
    appendFileSync(log, '6,101,2000,-;EXT4-fs (vda): mounted filesystem\n SUBSYSTEM=block\n');
    await sleep(200);
    expect(alive(pids)).toEqual([true]); // the old lockup and a plain message leave them be
    expect(spinners.stoppedFor()).toBeUndefined();
    const report = 'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 72s!';
    appendFileSync(log, `4,102,3000,-;${report}\n`);
    for (let i = 0; i < 100 && stalls.length === 0; i++) await sleep(20);
    expect(stalls).toEqual([report]);
    expect(spinners.stoppedFor()).toBe(report);
    expect(alive(pids)).toEqual([false]);
    await spinners.stop(); // the run's own stop afterwards is harmless
  });

  it('runs without the guard when the kernel log cannot be read', async () => {
    spinners = startIdleSpinners({ cpus: 1, kernelLog: '/nonexistent/kmsg', checkMs: 20 });
    expect(spinners.guarded).toBe(false);
    const pids = spinners.procs.map((p) => p.pid);
    await sleep(100);
    expect(alive(pids)).toEqual([true]);
    await spinners.stop();
    expect(alive(pids)).toEqual([false]);
  });

  it('knows the kernel\'s stall reports, as this VM and Linux print them, from other messages', () => {
    const stalls = [
      'BUG: workqueue lockup - pool cpus=0 node=0 flags=0x0 nice=0 stuck for 317s!',
      'INFO: task khugepaged:40 blocked for more than 120 seconds.',
      'rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:',
      'rcu: INFO: rcu_sched self-detected stall on CPU',
      'watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [sh:1234]',
    ];
    const others = ['workqueue: round-robin CPU selection forced', 'EXT4-fs (vda): mounted filesystem', 'hung_task: blocked tasks'];
    expect(stalls.filter((m) => KERNEL_STALL.test(m))).toEqual(stalls);
    expect(others.filter((m) => KERNEL_STALL.test(m))).toEqual([]);
  });
});
