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

  it('starts at the first |D|, then moves 1/16 of the way to each new |D|', () => {
    // D: +0.010, -0.010 (|D| 0.010), then +0.030: J = 0.010 + (0.030 - 0.010) / 16.
    expect(interarrivalJitter([0.02, 0.03, 0.02, 0.05])).toBeCloseTo(0.01125, 12);
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
