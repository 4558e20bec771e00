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
 * D = rtt[i] - rtt[i-1], J += (|D| - J) / 16. RFC 3550 runs it over an endless stream
 * from J = 0; a round here has about ten samples, which from 0 would report well under
 * half the real jitter, so the estimator starts at the first |D| instead.
 * Undefined with fewer than two round trips.
 */
export function interarrivalJitter(rtts: readonly number[]): number | undefined {
  if (rtts.length < 2) return undefined;
  let jitter: number | undefined;
  for (let i = 1; i < rtts.length; i += 1) {
    const d = Math.abs((rtts[i] as number) - (rtts[i - 1] as number));
    jitter = jitter === undefined ? d : jitter + (d - jitter) / 16;
  }
  return jitter;
}
