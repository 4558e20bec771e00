import { describe, expect, it } from 'vitest';
import { parseSamples } from '../../bench/lib/prom-text.js';
import { connectBuckets, connectsBetween } from '../../bench/scenarios/scheduled.js';

/** A scrape's connect histogram (two services, summed) plus a tls one that must be ignored. */
function scrape(counts: Record<string, number>): ReturnType<typeof connectBuckets> {
  const lines = Object.entries(counts).flatMap(([le, n]) => [
    `o365_probe_phase_duration_seconds_bucket{service="a",phase="connect",le="${le}"} ${n / 2}`,
    `o365_probe_phase_duration_seconds_bucket{service="b",phase="connect",le="${le}"} ${n / 2}`,
    `o365_probe_phase_duration_seconds_bucket{service="a",phase="tls",le="${le}"} 999`,
  ]);
  return connectBuckets(parseSamples(lines.join('\n')));
}

describe('scheduled: loopback connects timed late', () => {
  it('counts the steady window only, over 10 and 50 ms, and bounds the p99 by its bucket', () => {
    const first = scrape({ '0.001': 100, '0.01': 100, '0.05': 100, '+Inf': 100 });
    // 1,000 more: 900 under 1 ms, 60 in 1-10 ms, 30 in 10-50 ms, 10 above 50 ms.
    const last = scrape({ '0.001': 1000, '0.01': 1060, '0.05': 1090, '+Inf': 1100 });
    expect(connectsBetween({ connectBuckets: first }, { connectBuckets: last })).toEqual({ count: 1000, over10ms: 40, over50ms: 10, p99AtMostSeconds: 0.05 });
  });

  it('is absent when no connect was counted', () => {
    const same = scrape({ '0.001': 5, '+Inf': 5 });
    expect(connectsBetween({ connectBuckets: same }, { connectBuckets: same })).toBeUndefined();
  });
});
