import { describe, expect, it } from 'vitest';
import { parseBenchFlags } from '../../bench/lib/flags.js';
import { throughputPlan, turnOrder, warmupConcurrency, warmupOrder, type Load } from '../../bench/scenarios/throughput.js';

describe('/probe throughput warm-up', () => {
  it('runs at the first concurrency measured, whichever order the flag gives', () => {
    expect(warmupConcurrency({ concurrency: [1, 8, 32] })).toBe(1);
    expect(warmupConcurrency({ concurrency: [32, 8] })).toBe(32);
    expect(() => warmupConcurrency({ concurrency: [] })).toThrow('throughput: no concurrency to run at');
  });

  it('lasts 12 s per exporter by default (1 s with --quick), as long as asked otherwise', () => {
    expect(parseBenchFlags([]).throughput.warmupSeconds).toBe(12);
    expect(parseBenchFlags(['--quick']).throughput.warmupSeconds).toBe(1);
    expect(parseBenchFlags(['--throughput.warmup=0']).throughput.warmupSeconds).toBe(0);
    expect(warmupConcurrency(parseBenchFlags([]).throughput)).toBe(32);
  });

  it('warms the exporter measured first last, and alternates which goes first (ABBA)', () => {
    expect([0, 1, 2, 3].map(turnOrder)).toEqual([[0, 1], [1, 0], [0, 1], [1, 0]]);
    expect(warmupOrder().at(-1)).toBe(turnOrder(0)[0]);
    expect([...warmupOrder()].sort()).toEqual([0, 1]);
  });
});

describe('/probe throughput plan (the loads runThroughput runs, in order)', () => {
  const brief = (l: Load) => `${l.measured ? 'turn' : 'warm'} e${l.exporter} c${l.concurrency} s${l.step} ${l.seconds}s`;

  it('warms both at the first concurrency, the exporter measured first last, then alternates turns per step', () => {
    const plan = throughputPlan({ concurrency: [1, 8], seconds: 12, rounds: 2, warmupSeconds: 5 });
    expect(plan.map(brief)).toEqual([
      'warm e1 c1 s0 5s', 'warm e0 c1 s0 5s',
      'turn e0 c1 s0 6s', 'turn e1 c1 s0 6s', 'turn e1 c1 s0 6s', 'turn e0 c1 s0 6s',
      'turn e0 c8 s1 6s', 'turn e1 c8 s1 6s', 'turn e1 c8 s1 6s', 'turn e0 c8 s1 6s',
    ]);
  });

  it('measures the highest concurrency first and 1 last by default, so 1 reads the warmed exporter', () => {
    const d = throughputPlan(parseBenchFlags([]).throughput);
    expect(parseBenchFlags([]).throughput.concurrency).toEqual([32, 8, 1]);
    expect(d.at(-1)?.concurrency).toBe(1);
    expect(d.filter((l) => l.concurrency === 1).every((l) => l.measured)).toBe(true);
    expect(parseBenchFlags(['--throughput.concurrency=1,8']).throughput.concurrency).toEqual([1, 8]);
  });

  it('follows the flags: the default run, no warm-up, a repeated concurrency kept as its own step', () => {
    const d = throughputPlan(parseBenchFlags([]).throughput);
    expect(d.filter((l) => !l.measured).map(brief)).toEqual(['warm e1 c32 s0 12s', 'warm e0 c32 s0 12s']);
    // Twelve 1 s turns each, not four of 3 s: the same 12 s, half as wide an interval (results/throughput-order/).
    expect(d.filter((l) => l.measured)).toHaveLength(3 * 12 * 2);
    expect(new Set(d.filter((l) => l.measured).map((l) => l.seconds))).toEqual(new Set([1]));
    const none = throughputPlan({ concurrency: [32, 1, 1], seconds: 1, rounds: 3, warmupSeconds: 0 });
    expect(none.every((l) => l.measured && l.seconds === 1)).toBe(true);
    expect(none.map((l) => l.step)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2]);
    expect(none[0]?.concurrency).toBe(32);
  });
});
