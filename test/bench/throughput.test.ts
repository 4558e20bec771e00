import { describe, expect, it } from 'vitest';
import { parseBenchFlags } from '../../bench/lib/flags.js';
import { turnOrder, warmupConcurrency, warmupOrder } from '../../bench/scenarios/throughput.js';

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
    expect(warmupConcurrency(parseBenchFlags([]).throughput)).toBe(1);
  });

  it('warms the exporter measured first last, and alternates which goes first (ABBA)', () => {
    expect([0, 1, 2, 3].map(turnOrder)).toEqual([[0, 1], [1, 0], [0, 1], [1, 0]]);
    expect(warmupOrder().at(-1)).toBe(turnOrder(0)[0]);
    expect([...warmupOrder()].sort()).toEqual([0, 1]);
  });
});
