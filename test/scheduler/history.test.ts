import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PHASES, type Phase, type ProbeResult } from '../../src/probes/result.js';
import { ResultHistory, type HistoryPoint } from '../../src/scheduler/history.js';
import { ResultStore } from '../../src/scheduler/results.js';
import type { ScheduledTarget } from '../../src/config/targets.js';

const us = (seconds: number) => Math.round(seconds * 1e6) / 1e6;

function result(i: number, phases: Partial<Record<Phase, number>> = { connect: 0.0101 + i / 1e4, tls: 0.0202, first_byte: 0.0033 }): ProbeResult {
  return { success: i % 3 !== 0, startedAt: 1_700_000_000_000 + i * 15_000, durationSeconds: 0.0456789 + i / 1e3, phases };
}

/** What the old array of plain points held, at microsecond resolution. */
function expected(r: ProbeResult): HistoryPoint {
  const phases: Partial<Record<Phase, number>> = {};
  for (const [p, s] of Object.entries(r.phases) as [Phase, number][]) phases[p] = us(s);
  return { at: r.startedAt, success: r.success, durationSeconds: us(r.durationSeconds), phases };
}

describe('ResultHistory', () => {
  it('keeps the last N points, oldest first, after wrapping many times', () => {
    const h = new ResultHistory(5);
    const all = Array.from({ length: 23 }, (_, i) => result(i));
    for (const r of all) h.push(r);
    expect(h.length).toBe(5);
    expect(h.slice()).toEqual(all.slice(-5).map(expected));
    expect([...h]).toEqual(all.slice(-5).map(expected));
    expect(h.get(0)).toEqual(expected(all[18] as ProbeResult));
    expect(h.get(-1)).toEqual(expected(all[22] as ProbeResult));
    expect(h.get(5)).toBeUndefined();
    expect(h.get(-6)).toBeUndefined();
  });

  it('slices like an array (negative and out-of-range bounds)', () => {
    const h = new ResultHistory(10);
    const all = Array.from({ length: 7 }, (_, i) => result(i));
    for (const r of all) h.push(r);
    const points = all.map(expected);
    for (const [a, b] of [[-3, undefined], [2, 5], [-100, 3], [4, 100], [5, 2], [0, -1]] as const) {
      expect(h.slice(a, b)).toEqual(points.slice(a, b));
    }
  });

  it('keeps absent phases absent and every phase it was given', () => {
    const h = new ResultHistory(3);
    const every = Object.fromEntries(PHASES.map((p, i) => [p, (i + 1) / 1000])) as Record<Phase, number>;
    h.push(result(1, {}));
    h.push(result(2, every));
    h.push(result(4, { dns: 0.25 }));
    const [none, full, dnsOnly] = h.slice();
    expect(none?.phases).toEqual({});
    expect(full?.phases).toEqual(every);
    expect(dnsOnly?.phases).toEqual({ dns: 0.25 });
    expect(Object.keys(dnsOnly?.phases ?? {})).toEqual(['dns']);
  });

  it('is exact to the microsecond for any duration up to an hour', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 3600, noNaN: true }), { minLength: 1, maxLength: 30 }), (durations) => {
        const h = new ResultHistory(8);
        const results = durations.map((d, i) => ({ ...result(i, { tls: d / 2 }), durationSeconds: d }));
        for (const r of results) h.push(r);
        expect(h.slice()).toEqual(results.slice(-8).map(expected));
      }),
    );
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new ResultHistory(0)).toThrow(/positive integer/);
    expect(() => new ResultHistory(2.5)).toThrow(/positive integer/);
  });
});

describe('ResultStore history', () => {
  const target = { key: 'a|direct', name: 'a', path: 'direct' } as ScheduledTarget;

  it('keeps the last historyLength results of a target in order, and the last result whole', () => {
    const store = new ResultStore(4);
    const all = Array.from({ length: 9 }, (_, i) => result(i));
    for (const r of all) store.observe(target, r);
    const state = store.get(target.key);
    expect(state?.history.slice()).toEqual(all.slice(-4).map(expected));
    expect(state?.last).toBe(all[8]);
    expect(state?.lastSuccessAt).toBe((all[8] as ProbeResult).startedAt);
  });

  it('does not keep the result objects it was given in its history', () => {
    const store = new ResultStore(2);
    const r = result(1);
    store.observe(target, r);
    r.phases.connect = 99;
    expect(store.get(target.key)?.history.get(0)?.phases.connect).toBe(us(0.0102));
  });
});
