/** Verdicts against Microsoft's thresholds (REFERENCE.md section 2) and the "what to fix first" order. */
import { describe, expect, it } from 'vitest';
import { frontDoorOf } from '../../src/cli/front-door.js';
import { fixFirst, type ReportRow } from '../../src/cli/report-model.js';
import { exchangeLatencyScore, verdictsFor } from '../../src/cli/verdicts.js';
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
    expect([10, 25, 100, 200, 300, 350, 500].map(exchangeLatencyScore)).toEqual([100, 80, 60, 40, 20, 0, 0]);
    expect(exchangeLatencyScore(5)).toBe(100);
    expect(exchangeLatencyScore(62.5)).toBeCloseTo(70);
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

  it('TLS interception: a non-Microsoft issuer on an Optimize/Allow endpoint', () => {
    const chain = (issuer: string) => ({ version: 'TLSv1.3', cipher: 'x', alpn: '', authorized: true, chain: [{ subject: 'outlook.office365.com', issuer, notAfter: 0, notBefore: 0, fingerprint256: '' }] });
    expect(verdictsFor({ service: 'Exchange', category: 'Optimize' }, result({ tls: chain('Corporate Inspection CA') }))[0]?.message).toBe('TLS intercepted: certificate issued by "Corporate Inspection CA", not Microsoft');
    expect(codes({ service: 'Exchange', category: 'Optimize' }, result({ tls: chain('Microsoft Azure RSA TLS Issuing CA 03') }))).toEqual([]);
    expect(codes({ service: 'Exchange', category: 'Allow' }, result({ tls: chain('DigiCert Global Root G2') }))).toEqual([]);
    expect(codes(common, result({ tls: chain('Corporate Inspection CA') }))).toEqual([]);
  });

  it('a failure is explained in words, with the HTTP status when that was the problem', () => {
    const failed = result({ success: false, failure: { phase: 'first_byte', reason: 'http_invalid_status', message: '' }, http: { statusCode: 407, httpVersion: '1.1', headers: {}, bodyBytes: 0 } });
    expect(verdictsFor(common, failed)).toEqual([expect.objectContaining({ severity: 'fail', code: 'failed:http_invalid_status', message: 'failed in first_byte: the HTTP status is not one of the accepted codes (HTTP 407)' })]);
  });
});

describe('front door', () => {
  it('prefers X-FEServer, then X-CalculatedFETarget, X-MSEdge-Ref, then the CNAME', () => {
    const http = (headers: Record<string, string>) => ({ statusCode: 200, httpVersion: '1.1', headers, bodyBytes: 0 });
    const dns = { resolver: '', rcode: 'NOERROR', transport: 'udp' as const, cnames: ['outlook.office365.com', 'outlook.ha.office365.com', 'fra-efz.ms-acdc.office.com'], addresses: [] };
    expect(frontDoorOf(result({ dns, http: http({ 'x-feserver': 'AM0PR01CA0001' }) }))).toEqual({ code: 'AM0PR01CA0001', source: 'x-feserver' });
    expect(frontDoorOf(result({ http: http({ 'x-calculatedfetarget': 'DB8PR04CU001.internal.outlook.com' }) }))).toEqual({ code: 'DB8PR04CU001', source: 'x-calculatedfetarget' });
    expect(frontDoorOf(result({ http: http({ 'x-msedge-ref': 'Ref A: 1234 Ref B: LON21EDGE0312 Ref C: 2024-01-01T00:00:00Z' }) }))).toEqual({ code: 'LON', source: 'x-msedge-ref' });
    expect(frontDoorOf(result({ dns }))).toEqual({ code: 'fra-efz', source: 'cname', iata: 'FRA' });
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
