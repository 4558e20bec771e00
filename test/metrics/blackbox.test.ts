/** /probe output: blackbox_exporter's metric names for one result. */
import { describe, expect, it } from 'vitest';
import { renderBlackbox } from '../../src/metrics/blackbox.js';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { failedResult, okResult } from '../helpers/targets.js';

describe('renderBlackbox', () => {
  it('maps an HTTPS waterfall to probe_http_duration_seconds phases and friends', async () => {
    const result = okResult({
      address: '2603:1026::1',
      http: { statusCode: 200, httpVersion: '1.1', headers: {}, bodyBytes: 1234 },
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'CN=a', issuer: 'CN=b', notAfter: 1_800_000_000, notBefore: 0, fingerprint256: 'x' }] },
    });
    const { body, contentType } = await renderBlackbox(result, 'http');
    expect(contentType).toMatch(/^text\/plain/);
    const series = parseExposition(body);
    expect(valueOf(series, 'probe_success')).toBe(1);
    expect(valueOf(series, 'probe_duration_seconds')).toBe(0.123);
    expect(valueOf(series, 'probe_dns_lookup_time_seconds')).toBe(0.004);
    expect(Object.fromEntries(select(series, 'probe_http_duration_seconds').map((s) => [s.labels.phase, s.value]))).toEqual({
      resolve: 0.004,
      connect: 0.011,
      tls: 0.025,
      processing: 0.06,
      transfer: 0.023,
    });
    expect(valueOf(series, 'probe_http_status_code')).toBe(200);
    expect(valueOf(series, 'probe_http_ssl')).toBe(1);
    expect(valueOf(series, 'probe_http_version')).toBe(1.1);
    expect(valueOf(series, 'probe_http_uncompressed_body_length')).toBe(1234);
    expect(valueOf(series, 'probe_ssl_earliest_cert_expiry')).toBe(1_800_000_000);
    expect(valueOf(series, 'probe_tls_version_info', { version: 'TLSv1.3' })).toBe(1);
    expect(valueOf(series, 'probe_tls_cipher_info', { cipher: 'TLS_AES_128_GCM_SHA256' })).toBe(1);
    expect(valueOf(series, 'probe_ip_protocol')).toBe(6);
    expect(select(series, 'probe_failure_info')).toEqual([]);
  });

  it('a failed TCP probe says where and why', async () => {
    const series = parseExposition((await renderBlackbox(failedResult('connect', 'connect_refused', { dns: 0.002, connect: 0.001 }), 'tcp')).body);
    expect(valueOf(series, 'probe_success')).toBe(0);
    expect(valueOf(series, 'probe_failure_info', { phase: 'connect', reason: 'connect_refused' })).toBe(1);
    expect(select(series, 'probe_http_status_code')).toEqual([]);
  });

  it('a DNS probe reports its request time and answer count', async () => {
    const result = okResult({ phases: { dns: 0.007 }, dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames: ['a.example'], addresses: ['192.0.2.1', '192.0.2.2'] } });
    const series = parseExposition((await renderBlackbox(result, 'dns')).body);
    expect(valueOf(series, 'probe_dns_duration_seconds', { phase: 'request' })).toBe(0.007);
    expect(valueOf(series, 'probe_dns_answer_rrs')).toBe(3);
  });
});
