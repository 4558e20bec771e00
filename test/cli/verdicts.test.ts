/** Verdicts against Microsoft's thresholds (REFERENCE.md section 2) and the "what to fix first" order. */
import { describe, expect, it } from 'vitest';
import { frontDoorOf } from '../../src/cli/front-door.js';
import { fixFirst, type ReportRow } from '../../src/cli/report-model.js';
import { DEFAULT_VERDICT_CONTEXT, verdictContext, verdictsFor } from '../../src/cli/verdicts.js';
import type { ProbeResult } from '../../src/probes/result.js';

const result = (over: Partial<ProbeResult> = {}): ProbeResult => ({ success: true, startedAt: 0, durationSeconds: 0.1, phases: {}, ...over });
const common = { service: 'Common', category: 'Default' };
const codes = (subject: { service: string; category: string }, r: ProbeResult) => verdictsFor(subject, r).map((v) => v.code);

describe('verdicts', () => {
  it('DNS above 100 ms is flagged with the figure, at 100 ms it is not', () => {
    expect(verdictsFor(common, result({ phases: { dns: 0.14 } }))).toEqual([expect.objectContaining({ severity: 'warn', message: 'DNS 140 ms: above the 100 ms guidance' })]);
    expect(verdictsFor(common, result({ phases: { dns: 0.1 } }))).toEqual([]);
  });

  it("Exchange connect time is scored with Microsoft's assessment formula (80 is healthy)", () => {
    const exchange = { service: 'Exchange', category: 'Optimize' };
    expect(verdictsFor(exchange, result({ phases: { connect: 0.04 } }))[0]?.message).toBe("TCP connect 40 ms: Exchange network score 76, below Microsoft's healthy 80 (25 ms)");
    expect(codes(exchange, result({ phases: { connect: 0.025 } }))).toEqual([]);
    // The same 40 ms is fine for a non-Exchange target; above 100 ms it is not.
    expect(codes(common, result({ phases: { connect: 0.04 } }))).toEqual([]);
    expect(codes(common, result({ phases: { connect: 0.15 } }))).toEqual(['connect_slow']);
  });

  it('a slow first byte is flagged', () => {
    expect(codes(common, result({ phases: { first_byte: 1.5 } }))).toEqual(['first_byte_slow']);
    expect(codes(common, result({ phases: { first_byte: 0.3 } }))).toEqual([]);
  });

  it("Teams UDP figures are held against Teams' targets", () => {
    const udp = { sent: 10, received: 8, rtts: [0.12, 0.13, 0.11, 0.12, 0.2, 0.12, 0.12, 0.12], jitterSeconds: 0.04 };
    expect(codes(common, result({ udp }))).toEqual(['udp_loss', 'udp_rtt', 'udp_jitter']);
    expect(codes(common, result({ udp: { sent: 10, received: 10, rtts: Array(10).fill(0.02), jitterSeconds: 0.002 } }))).toEqual([]);
  });

  const withTls = (issuer: string) => result({ tls: { version: 'TLSv1.3', cipher: 'x', alpn: '', authorized: true, chain: [{ subject: 'outlook.office365.com', issuer, notAfter: 0, notBefore: 0, fingerprint256: '' }] } });

  it("TLS interception: a leaf issued outside Microsoft's CAs (configurable)", () => {
    const exchange = { service: 'Exchange', category: 'Optimize' };
    expect(verdictsFor(exchange, withTls('Corporate Inspection CA'))[0]?.message).toBe('TLS intercepted: certificate issued by "Corporate Inspection CA", not Microsoft');
    expect(codes(exchange, withTls('Microsoft Azure RSA TLS Issuing CA 03'))).toEqual([]);
    expect(codes(exchange, withTls('DigiCert Global Root G2'))).toEqual([]);
    const trusting = verdictContext({ diagnostics: { tls_issuers: ['Corporate Inspection CA'] } });
    expect(verdictsFor(exchange, withTls('Corporate Inspection CA'), trusting)).toEqual([]);
  });

  it("a front door more than 800 km from the configured location is flagged", () => {
    const dns = { resolver: '', rcode: 'NOERROR', transport: 'udp' as const, cnames: ['outlook.office365.com', 'fra-efz.ms-acdc.office.com'], addresses: [] };
    const newYork = verdictContext({ location: { lat: 40.71, lon: -74.0 }, diagnostics: { tls_issuers: ['x'] } });
    expect(verdictsFor(common, result({ dns }), newYork)).toEqual([expect.objectContaining({ code: 'frontdoor_far', message: "front door FRA (Frankfurt) 6202 km away: above Microsoft's 800 km" })]);
    const frankfurtish = verdictContext({ location: { lat: 50.0, lon: 8.3 }, diagnostics: { tls_issuers: ['x'] } });
    expect(verdictsFor(common, result({ dns }), frankfurtish)).toEqual([]);
    // Without a location there is no distance to judge.
    expect(verdictsFor(common, result({ dns }), DEFAULT_VERDICT_CONTEXT)).toEqual([]);
  });

  it('a failure is explained in words, with the HTTP status when that was the problem', () => {
    const failed = result({ success: false, failure: { phase: 'first_byte', reason: 'http_invalid_status', message: '' }, http: { statusCode: 407, httpVersion: '1.1', headers: {}, bodyBytes: 0 } });
    expect(verdictsFor(common, failed)).toEqual([expect.objectContaining({ severity: 'fail', code: 'failed:http_invalid_status', message: 'failed in first_byte: the HTTP status is not one of the accepted codes (HTTP 407)' })]);
  });
});

describe('front door', () => {
  it('shows the nearest front door with a known city: the -efz CNAME, then Ref B, then the Exchange front end', () => {
    const http = (headers: Record<string, string>) => ({ statusCode: 200, httpVersion: '1.1', headers, bodyBytes: 0 });
    const dns = { resolver: '', rcode: 'NOERROR', transport: 'udp' as const, cnames: ['outlook.office365.com', 'outlook.ha.office365.com', 'fra-efz.ms-acdc.office.com'], addresses: [] };
    expect(frontDoorOf(result({ dns, http: http({ 'x-feserver': 'AM0PR01CA0001' }) }))).toEqual({ code: 'FRA', source: 'cname', city: 'Frankfurt', country: 'DE' });
    expect(frontDoorOf(result({ http: http({ 'x-feserver': 'AM0PR01CA0001' }) }), { lat: 52.37, lon: 4.9 })).toEqual({ code: 'AM', source: 'x-feserver', city: 'Amsterdam', country: 'NL', distanceKm: 0 });
    expect(frontDoorOf(result({ http: http({ 'x-calculatedfetarget': 'DB8PR04CU001.internal.outlook.com' }) }))).toMatchObject({ code: 'DB', source: 'x-calculatedfetarget', city: 'Dublin' });
    expect(frontDoorOf(result({ http: http({ 'x-msedge-ref': 'Ref A: 1234 Ref B: LON21EDGE0312 Ref C: 2024-01-01T00:00:00Z' }) }))).toMatchObject({ code: 'LON', source: 'x-msedge-ref', city: 'London' });
    // An unknown code stays a code, without city or distance.
    expect(frontDoorOf(result({ http: http({ 'x-feserver': 'ZZ9PR01CA0001' }) }), { lat: 0, lon: 0 })).toEqual({ code: 'ZZ', source: 'x-feserver' });
    expect(frontDoorOf(result())).toBeUndefined();
  });
});

describe('what to fix first', () => {
  const row = (target: string, category: string, r: ProbeResult): ReportRow => ({ target, path: 'direct', service: 'Common', category, success: r.success, verdicts: verdictsFor({ service: 'Common', category }, r), result: r });
  it('puts failures first, Optimize before Default, and merges one issue across targets', () => {
    const refused = result({ success: false, failure: { phase: 'connect', reason: 'connect_refused', message: '' } });
    const rows = [
      row('portal', 'Default', result({ phases: { dns: 0.3 } })),
      row('mail', 'Optimize', result({ phases: { dns: 0.2 } })),
      row('web', 'Default', refused),
      row('teams', 'Allow', result({ phases: { dns: 0.15 } })),
    ];
    const items = fixFirst(rows);
    expect(items.map((i) => i.code)).toEqual(['failed:connect_refused', 'dns_slow']);
    expect(items[1]?.targets).toEqual(['mail', 'teams', 'portal']);
    expect(items[1]?.message).toBe('3 targets (mail, teams, portal), e.g. mail: DNS 200 ms: above the 100 ms guidance');
  });
});
