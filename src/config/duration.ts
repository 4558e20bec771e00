/**
 * Prometheus-style durations ("500ms", "30s", "1m30s", "1h", "3d") to seconds.
 * Kept strict: a bare number is rejected, because "30" means seconds to one person and
 * minutes to the next.
 */
const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/;

export function parseDuration(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let seconds = 0;
  for (const [, value, unit] of text.matchAll(PART)) {
    seconds += Number(value) * (UNIT_SECONDS[unit as string] ?? 0);
  }
  return seconds;
}

export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}
