import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { pidsNaming, procStatSeconds, reapNaming } from '../../bench/lib/procs.js';

describe('machine CPU from /proc/stat', () => {
  it('counts user, nice, system, irq and softirq as busy and the steal column apart, in seconds', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice, in 1/100 s
    const text = 'cpu  116933 125 23750 367577 799 0 4703 32985 0 0\ncpu0 58000 60 11000 183000 400 0 2300 16000 0 0\n';
    const { busy, steal } = procStatSeconds(text);
    expect(busy).toBeCloseTo((116933 + 125 + 23750 + 4703) / 100, 6);
    expect(steal).toBeCloseTo(329.85, 6);
  });

  it('reads a kernel without a steal column as no steal, and refuses text that is not /proc/stat', () => {
    expect(procStatSeconds('cpu 100 0 50 1000 0 0 0\n').steal).toBe(0);
    expect(() => procStatSeconds('intr 1 2 3\n')).toThrow(/no cpu line first/);
  });

  it('reads this machine: stolen time never runs backwards', () => {
    const first = procStatSeconds(readFileSync('/proc/stat', 'utf8'));
    const second = procStatSeconds(readFileSync('/proc/stat', 'utf8'));
    expect(Number.isFinite(first.steal)).toBe(true);
    expect(second.steal).toBeGreaterThanOrEqual(first.steal);
    expect(second.busy).toBeGreaterThanOrEqual(first.busy);
  });
});

describe('reaping what a tool left behind', () => {
  // A process whose command line names `token`, as Chromium's zygotes name their profile directory.
  const naming = async (token: string, lifeMs: number) => {
    const child = spawn(process.execPath, ['-e', `setTimeout(() => {}, ${lifeMs})`, token], { stdio: 'ignore' });
    await once(child, 'spawn');
    return { child, exit: once(child, 'exit') as Promise<[number | null, string | null]> };
  };

  it('kills a process still naming the path once the wait is over', async () => {
    const token = `reap-test-${randomUUID()}`;
    const { child, exit } = await naming(token, 30_000);
    expect(pidsNaming(token)).toEqual([child.pid]);
    expect(reapNaming(token, 100)).toEqual([child.pid]);
    expect(await exit).toEqual([null, 'SIGKILL']);
    expect(pidsNaming(token)).toEqual([]);
  });

  it('kills nothing that exits by itself within the wait', async () => {
    const token = `reap-test-${randomUUID()}`;
    const { exit } = await naming(token, 200);
    expect(reapNaming(token, 10_000)).toEqual([]);
    expect(await exit).toEqual([0, null]);
  });
});
