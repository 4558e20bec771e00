/**
 * Verdicts: one probe result held against Microsoft's published guidance (REFERENCE.md
 * section 2), in sentences such as "DNS 140 ms: above the 100 ms guidance". Used by
 * `o365-exporter probe` and the status page. Pure functions of the result.
 */
import type { LatLon } from '../diagnostics/distance.js';
import { DEFAULT_TLS_ISSUERS, interceptionOf, issuerMatcher, type IssuerMatcher } from '../diagnostics/interception.js';
import { exchangeScore } from '../diagnostics/score.js';
import type { ProbeResult } from '../probes/result.js';
import { EXPLANATIONS } from './explain.js';
import { FRONT_DOOR_FAR_KM, frontDoorOf } from './front-door.js';

export type Severity = 'fail' | 'warn';

export interface Verdict {
  severity: Severity;
  /** Stable key for grouping in the summary: "failed:connect_refused", "dns_slow", ... */
  code: string;
  /** One line about this target, with the measured figure. */
  message: string;
  /** What to do about it. */
  fix: string;
}

export interface VerdictSubject {
  service: string;
  category: string;
}

/** What the config adds: the site's location (front door distance) and Microsoft's CAs. */
export interface VerdictContext {
  location?: LatLon;
  isMicrosoft: IssuerMatcher;
}

export const DEFAULT_VERDICT_CONTEXT: VerdictContext = { isMicrosoft: issuerMatcher(DEFAULT_TLS_ISSUERS) };

export function verdictContext(config: { location?: LatLon; diagnostics: { tls_issuers: readonly string[] } }): VerdictContext {
  const location = config.location ? { lat: config.location.lat, lon: config.location.lon } : undefined;
  return { location, isMicrosoft: issuerMatcher(config.diagnostics.tls_issuers) };
}

/** Microsoft: DNS resolution ideally < 100 ms (troubleshooting guidance). */
export const DNS_GUIDANCE_SECONDS = 0.1;
/** Network assessment score 80 is the healthy line; for Exchange it is a 25 ms median TCP latency. */
export const EXCHANGE_HEALTHY_SCORE = 80;
/** Teams, client to Microsoft edge: RTT < 100 ms, loss < 1 %, jitter < 30 ms. */
export const TEAMS_RTT_SECONDS = 0.1;
export const TEAMS_LOSS_RATIO = 0.01;
export const TEAMS_JITTER_SECONDS = 0.03;
/**
 * Not a Microsoft figure: this project's line for "the answer is slow". Microsoft publishes
 * no time-to-first-byte target; one second after the request is far beyond any front door's
 * answer and points at a proxy, an inspection device or an overloaded path.
 */
export const FIRST_BYTE_SLOW_SECONDS = 1;

export const ms = (seconds: number): string => `${Math.round(seconds * 1000)} ms`;

export function verdictsFor(subject: VerdictSubject, result: ProbeResult, context: VerdictContext = DEFAULT_VERDICT_CONTEXT): Verdict[] {
  const out: Verdict[] = [];
  if (result.failure) {
    const { phase, reason } = result.failure;
    const explained = EXPLANATIONS[reason];
    const status = reason === 'http_invalid_status' && result.http ? ` (HTTP ${result.http.statusCode})` : '';
    out.push({ severity: 'fail', code: `failed:${reason}`, message: `failed in ${phase}: ${explained.meaning}${status}`, fix: explained.fix });
  }
  const { dns, connect, first_byte: firstByte } = result.phases;
  if (dns !== undefined && dns > DNS_GUIDANCE_SECONDS) {
    out.push({ severity: 'warn', code: 'dns_slow', message: `DNS ${ms(dns)}: above the 100 ms guidance`, fix: 'use a DNS resolver close to the egress point (a remote resolver also picks a remote front door)' });
  }
  if (connect !== undefined) out.push(...connectVerdicts(subject, connect));
  if (firstByte !== undefined && firstByte > FIRST_BYTE_SLOW_SECONDS) {
    out.push({ severity: 'warn', code: 'first_byte_slow', message: `first byte ${ms(firstByte)} after the request: slow answer (above 1 s)`, fix: 'look for a proxy or TLS inspection on the path; Microsoft asks to send Optimize/Allow traffic direct' });
  }
  const tls = interceptionOf(result, context.isMicrosoft);
  if (tls?.intercepted) {
    out.push({ severity: 'warn', code: 'tls_intercepted', message: `TLS intercepted: certificate issued by "${tls.issuer}", not Microsoft`, fix: 'exempt Microsoft 365 Optimize/Allow endpoints from TLS inspection' });
  }
  const door = frontDoorOf(result, context.location);
  if (door?.distanceKm !== undefined && door.distanceKm > FRONT_DOOR_FAR_KM) {
    out.push({ severity: 'warn', code: 'frontdoor_far', message: `front door ${door.code} (${door.city}) ${door.distanceKm} km away: above Microsoft's 800 km`, fix: 'egress to the internet near the site and resolve DNS there, so Microsoft picks a near front door' });
  }
  if (result.udp) out.push(...udpVerdicts(result.udp));
  return out;
}

/** TCP connect time is one round trip to the front door. */
function connectVerdicts(subject: VerdictSubject, connect: number): Verdict[] {
  const connectMs = connect * 1000;
  if (subject.service === 'Exchange') {
    const score = exchangeScore(connectMs);
    if (score < EXCHANGE_HEALTHY_SCORE) {
      return [{ severity: 'warn', code: 'exchange_latency', message: `TCP connect ${ms(connect)}: Exchange network score ${Math.round(score)}, below Microsoft's healthy 80 (25 ms)`, fix: 'egress locally and reach the nearest Exchange front door (no backhaul to a central proxy or VPN)' }];
    }
    return [];
  }
  if (connect > TEAMS_RTT_SECONDS) {
    return [{ severity: 'warn', code: 'connect_slow', message: `TCP connect ${ms(connect)}: round trip above 100 ms`, fix: 'egress locally, close to the user, and check the route to the nearest Microsoft front door' }];
  }
  return [];
}

function udpVerdicts(udp: NonNullable<ProbeResult['udp']>): Verdict[] {
  const out: Verdict[] = [];
  const loss = udp.sent > 0 ? 1 - udp.received / udp.sent : 0;
  if (loss > TEAMS_LOSS_RATIO) out.push({ severity: 'warn', code: 'udp_loss', message: `UDP loss ${(loss * 100).toFixed(1)} %: above Teams' 1 %`, fix: 'find the lossy link or the rate limit on UDP 3478-3481' });
  const median = medianOf(udp.rtts);
  if (median !== undefined && median > TEAMS_RTT_SECONDS) out.push({ severity: 'warn', code: 'udp_rtt', message: `UDP round trip ${ms(median)}: above Teams' 100 ms`, fix: 'egress Teams media locally, without VPN or proxy hairpins' });
  if (udp.jitterSeconds !== undefined && udp.jitterSeconds > TEAMS_JITTER_SECONDS) out.push({ severity: 'warn', code: 'udp_jitter', message: `UDP jitter ${ms(udp.jitterSeconds)}: above Teams' 30 ms`, fix: 'apply QoS to Teams media and relieve congested links' });
  return out;
}

function medianOf(values: number[]): number | undefined {
  if (!values.length) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
