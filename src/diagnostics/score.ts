/**
 * Microsoft's network assessment score (Microsoft 365 admin center, REFERENCE.md section 2),
 * per service, 0-100, 80 being the healthy line.
 *
 * - Exchange: Microsoft's own breakpoints on the median TCP connect latency over the window:
 *   10 ms -> 100, 25 -> 80, 100 -> 60, 200 -> 40, 300 -> 20, >= 350 -> 0, linear between.
 * - Teams: Microsoft publishes targets, not a formula. Ours: one linear sub-score per target
 *   (median RTT 100 ms, median jitter 30 ms, loss 1%), each 100 at zero, 80 exactly at the
 *   target and 0 at five times the target (score = 100 - 20 * value / target, clamped), and
 *   the Teams score is the lowest of the three: a call is as bad as its worst figure.
 * - SharePoint: Microsoft scores the 25th-percentile download speed. The probes do not
 *   measure download throughput (they read at most a small page), so no SharePoint score is
 *   computed rather than one made up from latency.
 */

/** [median TCP connect ms, score], Microsoft's numbers. */
export const EXCHANGE_BREAKPOINTS: readonly (readonly [number, number])[] = [
  [10, 100],
  [25, 80],
  [100, 60],
  [200, 40],
  [300, 20],
  [350, 0],
];

/** Microsoft's Teams network targets, client to Microsoft edge. */
export const TEAMS_TARGETS = { rttMs: 100, jitterMs: 30, lossRatio: 0.01 } as const;

/** Linear interpolation between sorted [x, y] points, flat beyond the first and last. */
export function piecewiseLinear(x: number, points: readonly (readonly [number, number])[]): number {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) throw new RangeError('piecewiseLinear needs points');
  if (x <= first[0]) return first[1];
  if (x >= last[0]) return last[1];
  for (let i = 1; i < points.length; i++) {
    const [x1, y1] = points[i] as readonly [number, number];
    const [x0, y0] = points[i - 1] as readonly [number, number];
    if (x <= x1) return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  }
  return last[1];
}

export function exchangeScore(medianConnectMs: number): number {
  return piecewiseLinear(medianConnectMs, EXCHANGE_BREAKPOINTS);
}

/** 100 at 0, 80 at the target, 0 at five times the target. */
export function targetSubScore(value: number, target: number): number {
  return Math.min(100, Math.max(0, 100 - (20 * value) / target));
}

export interface TeamsQuality {
  rttMs?: number;
  jitterMs?: number;
  lossRatio?: number;
}

/** Lowest of the sub-scores that have data; undefined when none has. */
export function teamsScore(q: TeamsQuality): number | undefined {
  const subs = [
    q.rttMs === undefined ? undefined : targetSubScore(q.rttMs, TEAMS_TARGETS.rttMs),
    q.jitterMs === undefined ? undefined : targetSubScore(q.jitterMs, TEAMS_TARGETS.jitterMs),
    q.lossRatio === undefined ? undefined : targetSubScore(q.lossRatio, TEAMS_TARGETS.lossRatio),
  ].filter((s): s is number => s !== undefined);
  return subs.length ? Math.min(...subs) : undefined;
}

/** Median; undefined for no values. */
export function median(values: ArrayLike<number>): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function mean(values: ArrayLike<number>): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
