/**
 * Waits at least `ms` by the monotonic clock. setTimeout counts from the event loop's
 * cached (and ms-truncated) time and can fire a little early, which would make a test's
 * "measured >= injected delay" fail by microseconds.
 */
export async function sleepAtLeast(ms: number): Promise<void> {
  const until = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  for (let left = ms; left > 0; left = Number(until - process.hrtime.bigint()) / 1e6) {
    await new Promise((resolve) => setTimeout(resolve, Math.ceil(left)));
  }
}
