import { describe, expect, it } from 'vitest';
import { geometricMeanInterval, histogramQuantile, mean, median, quantile, slope, summarizeErrors, tQuantile975, type Bin } from '../../bench/lib/stats.js';

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

  it('gives Student\'s t for a 95 % interval, the normal quantile past 30 degrees of freedom', () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(3)).toBe(3.182);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(31)).toBe(1.96);
    expect(() => tQuantile975(0)).toThrow(RangeError);
  });

  it('puts a 95 % interval around the geometric mean of paired ratios', () => {
    // ln 2 and ln 8 around ln 4: sd ln(4) / sqrt 2, half-width t(1) * sd / sqrt 2 = 12.706 * ln(4) / 2.
    const wide = geometricMeanInterval([2, 8]);
    expect(wide?.mean).toBeCloseTo(4, 12);
    expect(wide?.low).toBeCloseTo(4 * Math.exp((-12.706 * Math.log(4)) / 2), 9);
    expect(wide?.high).toBeCloseTo(4 * Math.exp((12.706 * Math.log(4)) / 2), 3);
    const steady = geometricMeanInterval([1.1, 1.1, 1.1]);
    expect(steady?.low).toBeCloseTo(1.1, 12);
    expect(steady?.high).toBeCloseTo(1.1, 12);
    // Symmetric in the logarithms: 0.5 and 2 average to 1 whatever their order.
    expect(geometricMeanInterval([2, 0.5])?.mean).toBeCloseTo(1, 12);
    expect(geometricMeanInterval([1.2])).toBeUndefined();
    expect(geometricMeanInterval([1.2, 0])).toBeUndefined();
    expect(geometricMeanInterval([1.2, Infinity])).toBeUndefined();
  });
});
