import { describe, expect, it } from 'vitest';
import { histogramQuantile, mean, median, quantile, slope, summarizeErrors, type Bin } from '../../bench/lib/stats.js';

describe('bench statistics', () => {
  it('interpolates quantiles between closest ranks (numpy default)', () => {
    const values = [10, 1, 4, 3, 2, 9, 8, 7, 6, 5];
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(10);
    expect(median(values)).toBe(5.5);
    expect(quantile(values, 0.99)).toBeCloseTo(9.91, 10);
    expect(quantile([42], 0.99)).toBe(42);
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('does not reorder the caller array', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });

  it('summarizes signed errors with a p99 of their absolute values', () => {
    const errors = [...Array.from({ length: 99 }, () => 0.1), -5];
    const s = summarizeErrors(errors);
    expect(s.n).toBe(100);
    expect(s.median).toBeCloseTo(0.1, 10);
    // |-5| is the largest absolute error: p99 lands between 0.1 and 5.
    expect(s.p99Abs).toBeCloseTo(0.1 + (5 - 0.1) * 0.01, 10);
    expect(s.min).toBe(-5);
    expect(s.max).toBe(0.1);
  });

  it('fits a least-squares slope, flat for a constant series', () => {
    expect(slope([0, 1, 2, 3], [1, 3, 5, 7])).toBeCloseTo(2, 10);
    expect(slope([0, 1, 2, 3], [5, 5, 5, 5])).toBe(0);
    expect(slope([1], [1])).toBeNaN();
    expect(mean([1, 2, 3, 6])).toBe(3);
  });

  it('takes a histogram quantile by wrk\'s rule, the same over pooled runs as over one', () => {
    const hundred: Bin[] = Array.from({ length: 100 }, (_, i) => [i + 1, 1]);
    // rank = round(q * n + 0.5): 51st of 100 for the median, 100th for p99 (wrk prints the same).
    expect(histogramQuantile(hundred, 0.5)).toBe(51);
    expect(histogramQuantile(hundred, 0.99)).toBe(100);
    // Two runs' bins, out of order and with a shared value, pool like one run of the sum.
    const a: Bin[] = [[300, 2], [100, 5], [200, 0]];
    const b: Bin[] = [[100, 1], [900, 2], [200, 2]];
    // 12 values: 100 x6, 200 x2, 300 x2, 900 x2; the median is the 7th (round(6.5)).
    expect(histogramQuantile([...a, ...b], 0.5)).toBe(200);
    expect(histogramQuantile([...a, ...b], 0.75)).toBe(300);
    expect(histogramQuantile([...a, ...b], 0.99)).toBe(900);
    expect(histogramQuantile([...b, ...a], 0.75)).toBe(300);
    expect(histogramQuantile([[5, 0]], 0.5)).toBeNaN();
    expect(() => histogramQuantile(hundred, -0.1)).toThrow(RangeError);
  });
});
