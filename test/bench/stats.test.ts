import { describe, expect, it } from 'vitest';
import { mean, median, quantile, slope, summarizeErrors } from '../../bench/lib/stats.js';

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
});
