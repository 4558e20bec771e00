import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { interarrivalJitter, median } from '../../src/probes/udp-stats.js';

describe('median', () => {
  it('odd, even, none', () => {
    expect(median([0.03, 0.01, 0.02])).toBe(0.02);
    expect(median([0.04, 0.01, 0.03, 0.02])).toBeCloseTo(0.025, 12);
    expect(median([])).toBeUndefined();
  });
});

describe('interarrival jitter (RFC 3550 smoothing over consecutive RTTs)', () => {
  it('steady RTTs: no jitter; fewer than two: undefined', () => {
    expect(interarrivalJitter([0.05, 0.05, 0.05])).toBe(0);
    expect(interarrivalJitter([0.05])).toBeUndefined();
  });

  it('J += (|D| - J) / 16 from 0, divided by the start-up bias 1 - (15/16)^n', () => {
    // |D|: 0.010, 0.010, 0.030. J = 0.000625, 0.0012109375, 0.00301025390625; / (1 - (15/16)^3).
    expect(interarrivalJitter([0.02, 0.03, 0.02, 0.05])).toBeCloseTo(0.00301025390625 / (1 - (15 / 16) ** 3), 12);
    expect(interarrivalJitter([0.02, 0.03, 0.02, 0.05])).toBeCloseTo(0.0171012482663, 12);
  });

  it('one slow first answer weighs like any other difference, not like the whole round', () => {
    const rtts = [0.017, 0.0004, 0.0004, 0.0004, 0.0004, 0.0004, 0.0004, 0.0004, 0.0004, 0.0004];
    const j = interarrivalJitter(rtts) as number;
    // Only the first |D| (16.6 ms) is non-zero, among nine: the latest-weighted mean is below the plain mean.
    expect(j).toBeGreaterThan(0);
    expect(j).toBeLessThan(0.0166 / 9);
  });

  it('an alternating RTT gives the alternation as jitter, whatever the round length', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.double({ min: 0.001, max: 0.2, noNaN: true }), (n, step) => {
        const rtts = Array.from({ length: n }, (_, i) => 0.05 + (i % 2) * step);
        expect(interarrivalJitter(rtts)).toBeCloseTo(step, 9);
      }),
    );
  });

  it('stays between the smallest and largest |D|', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 40 }), (rtts) => {
        const diffs = rtts.slice(1).map((r, i) => Math.abs(r - (rtts[i] as number)));
        const j = interarrivalJitter(rtts) as number;
        expect(j).toBeGreaterThanOrEqual(Math.min(...diffs) - 1e-12);
        expect(j).toBeLessThanOrEqual(Math.max(...diffs) + 1e-12);
      }),
    );
  });
});
