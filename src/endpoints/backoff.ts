/**
 * When to ask the web service next. Microsoft: poll /version at most hourly, fetch the list
 * only when it changed, and on 429 back off (an hour) rather than retry (REFERENCE.md s.1).
 */
import type { FetchErrorReason } from './client.js';

export const RATE_LIMIT_BACKOFF_SECONDS = 3600;
/** First retry after a failure; doubles per consecutive failure. */
export const RETRY_BASE_SECONDS = 300;

/**
 * Seconds until the next check. After a success: the interval. After a 429: an hour.
 * After other failures: 5 min, 10, 20, ... capped at max(interval, 1 h), so a long outage
 * costs at most one request per interval and a short one is noticed within minutes.
 */
export function nextCheckDelaySeconds(intervalSeconds: number, outcome: { failure?: FetchErrorReason; consecutiveFailures: number }): number {
  if (!outcome.failure) return intervalSeconds;
  if (outcome.failure === 'http_429') return Math.max(RATE_LIMIT_BACKOFF_SECONDS, intervalSeconds);
  const cap = Math.max(intervalSeconds, 3600);
  const exponent = Math.min(Math.max(outcome.consecutiveFailures - 1, 0), 20);
  return Math.min(cap, RETRY_BASE_SECONDS * 2 ** exponent);
}
