import { createHash } from 'node:crypto';

/**
 * A stable offset in [0, interval) for a target, so targets are spread over the interval
 * (no thundering herd) and a target keeps its slot across restarts and reloads.
 */
export function slotOffset(key: string, intervalSeconds: number): number {
  const hash = createHash('sha1').update(key).digest().readUInt32BE(0);
  return (hash / 0x1_0000_0000) * intervalSeconds;
}

/** The first slot strictly after `nowMs`, for slots at anchor + k * interval. */
export function nextSlot(anchorMs: number, intervalMs: number, nowMs: number): number {
  if (nowMs < anchorMs) return anchorMs;
  return anchorMs + (Math.floor((nowMs - anchorMs) / intervalMs) + 1) * intervalMs;
}
