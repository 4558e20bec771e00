/**
 * /probe output is written as text without prom-client: it must stay what prom-client
 * wrote for the same result (same families, order, HELP, layout), label values escaped.
 */
import { isIPv6 } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BLACKBOX_CONTENT_TYPE, renderBlackbox, type ProbeKind } from '../../src/metrics/blackbox.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { failedResult, okResult } from '../helpers/targets.js';

/** The prom-client rendering /probe used before, kept here as the reference. */
async function viaPromClient(result: ProbeResult, kind: ProbeKind): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  gauge('probe_success', 'Whether the probe succeeded.').set(result.success ? 1 : 0);
  gauge('probe_duration_seconds', 'How long the probe took.').set(result.durationSeconds);
  if (result.phases.dns !== undefined) gauge('probe_dns_lookup_time_seconds', 'Time taken for the DNS lookup.').set(result.phases.dns);
  if (result.address) gauge('probe_ip_protocol', 'IP protocol version used (4 or 6).').set(isIPv6(result.address) ? 6 : 4);
  if (result.failure) {
    gauge('probe_failure_info', 'Phase and reason of the failure (o365-exporter extension).', ['phase', 'reason']).set({ phase: result.failure.phase, reason: result.failure.reason }, 1);
  }
  if (kind === 'http') {
    const durations = gauge('probe_http_duration_seconds', 'Duration of the HTTP request by phase, summed over all redirects.', ['phase']);
    const p = result.phases;
    for (const [phase, seconds] of [['resolve', p.dns], ['connect', p.connect], ['tls', p.tls], ['processing', p.first_byte], ['transfer', p.transfer]] as const) durations.set({ phase }, seconds ?? 0);
    gauge('probe_http_status_code', 'Response HTTP status code.').set(result.http?.statusCode ?? 0);
    gauge('probe_http_ssl', 'Whether TLS was used for the final request.').set(result.tls ? 1 : 0);
    if (result.http) {
      gauge('probe_http_version', 'Returns the version of HTTP of the probe response.').set(Number(result.http.httpVersion) || 0);
      gauge('probe_http_uncompressed_body_length', 'Length of uncompressed response body.').set(result.http.bodyBytes);
    }
    const tls = result.tls;
    if (tls) {
      if (tls.chain.length) gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime.').set(Math.min(...tls.chain.map((c) => c.notAfter)));
      gauge('probe_tls_version_info', 'Returns the TLS version used or NaN when unknown.', ['version']).set({ version: tls.version }, 1);
      gauge('probe_tls_cipher_info', 'Returns the TLS cipher negotiated during handshake.', ['cipher']).set({ cipher: tls.cipher }, 1);
    }
  }
  if (kind === 'dns') {
    if (result.phases.dns !== undefined) gauge('probe_dns_duration_seconds', 'Duration of DNS request by phase.', ['phase']).set({ phase: 'request' }, result.phases.dns);
    gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list.').set((result.dns?.addresses.length ?? 0) + (result.dns?.cnames.length ?? 0));
  }
  return registry.metrics();
}

const chain = [
  { subject: 'a', issuer: 'b', notAfter: 1_800_000_000, notBefore: 0, fingerprint256: 'x' },
  { subject: 'b', issuer: 'b', notAfter: 1_900_000_000, notBefore: 0, fingerprint256: 'y' },
];

const cases: Array<[string, ProbeResult, ProbeKind]> = [
  ['https success', okResult({ address: '192.0.2.1', http: { statusCode: 200, httpVersion: '1.1', headers: {}, bodyBytes: 1234 }, tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', authorized: true, chain } }), 'http'],
  ['tls failure', failedResult('tls', 'tls_untrusted_issuer', { dns: 0.002, connect: 0.001, tls: 0.004 }), 'http'],
  ['tcp refused', failedResult('connect', 'connect_refused', { dns: 0.002 }), 'tcp'],
  ['dns', okResult({ address: '2603:1026::1', phases: { dns: 0.007 }, dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames: ['c'], addresses: ['192.0.2.1'] } }), 'dns'],
];

describe('renderBlackbox text', () => {
  it.each(cases)('%s: same text as prom-client wrote', async (_name, result, kind) => {
    const { body, contentType } = await renderBlackbox(result, kind);
    expect(body).toBe(await viaPromClient(result, kind));
    expect(contentType).toBe(new Registry().contentType);
    expect(contentType).toBe(BLACKBOX_CONTENT_TYPE);
  });

  it('escapes backslash, quote and newline in label values', async () => {
    const cipher = 'odd\\"name\nx';
    const result = okResult({ http: { statusCode: 200, httpVersion: '1.1', headers: {}, bodyBytes: 0 }, tls: { version: 'TLSv1.2', cipher, alpn: '', authorized: true, chain: [] } });
    const { body } = await renderBlackbox(result, 'http');
    expect(body).toContain('probe_tls_cipher_info{cipher="odd\\\\\\"name\\nx"} 1');
    expect(body).toBe(await viaPromClient(result, 'http'));
    expect(valueOf(parseExposition(body), 'probe_success')).toBe(1);
  });
});
