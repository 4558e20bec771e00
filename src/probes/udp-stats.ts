/** Summaries of one round of UDP round trips (STUN probe, UDP metrics). */

/** Median of the values; undefined when there are none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * RFC 3550 (section 6.4.1) interarrival jitter over consecutive round-trip times:
 * D = rtt[i] - rtt[i-1], J += (|D| - J) / 16 from J = 0. RFC 3550 runs it over an endless
 * stream; a round here has about ten samples, and from 0 the estimate would stay at
 * 1 - (15/16)^9 = 44% of the real jitter. So the result is divided by that factor (the
 * start-up bias correction of any exponential average): a weighted mean of |D| leaning to
 * the latest, exact for steady |D|, and not dominated by one slow first answer.
 * Undefined with fewer than two round trips.
 */
export function interarrivalJitter(rtts: readonly number[]): number | undefined {
  if (rtts.length < 2) return undefined;
  let jitter = 0;
  for (let i = 1; i < rtts.length; i += 1) {
    const d = Math.abs((rtts[i] as number) - (rtts[i - 1] as number));
    jitter += (d - jitter) / 16;
  }
  return jitter / (1 - (15 / 16) ** (rtts.length - 1));
}
