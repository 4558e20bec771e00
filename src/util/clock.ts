/** Monotonic clock in seconds; every measured phase uses this, never Date.now(). */
export function now(): bigint {
  return process.hrtime.bigint();
}

export function secondsSince(start: bigint, end: bigint = process.hrtime.bigint()): number {
  return Number(end - start) / 1e9;
}
