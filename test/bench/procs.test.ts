import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { procStatSeconds } from '../../bench/lib/procs.js';

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
