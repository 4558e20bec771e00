/**
 * One on-demand probe result rendered with blackbox_exporter's metric names (see
 * REFERENCE.md section 4), in a fresh registry per request, so dashboards built for
 * blackbox_exporter work unchanged against /probe.
 */
import { isIPv6 } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import type { ProbeResult } from '../probes/result.js';

export type ProbeKind = 'http' | 'tcp' | 'dns';

export async function renderBlackbox(result: ProbeResult, kind: ProbeKind): Promise<{ body: string; contentType: string }> {
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  gauge('probe_success', 'Whether the probe succeeded.').set(result.success ? 1 : 0);
  gauge('probe_duration_seconds', 'How long the probe took.').set(result.durationSeconds);
  if (result.phases.dns !== undefined) gauge('probe_dns_lookup_time_seconds', 'Time taken for the DNS lookup.').set(result.phases.dns);
  if (result.address) gauge('probe_ip_protocol', 'IP protocol version used (4 or 6).').set(isIPv6(result.address) ? 6 : 4);
  if (result.failure) {
    gauge('probe_failure_info', 'Phase and reason of the failure (o365-exporter extension).', ['phase', 'reason']).set({ phase: result.failure.phase, reason: result.failure.reason }, 1);
  }
  if (kind === 'http') renderHttp(result, gauge);
  if (kind === 'dns') renderDns(result, gauge);
  return { body: await registry.metrics(), contentType: registry.contentType };
}

type MakeGauge = (name: string, help: string, labelNames?: string[]) => Gauge;

function renderHttp(result: ProbeResult, gauge: MakeGauge): void {
  const durations = gauge('probe_http_duration_seconds', 'Duration of the HTTP request by phase, summed over all redirects.', ['phase']);
  const map: [string, number | undefined][] = [
    ['resolve', result.phases.dns],
    ['connect', result.phases.connect],
    ['tls', result.phases.tls],
    ['processing', result.phases.first_byte],
    ['transfer', result.phases.transfer],
  ];
  for (const [phase, seconds] of map) durations.set({ phase }, seconds ?? 0);
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

function renderDns(result: ProbeResult, gauge: MakeGauge): void {
  if (result.phases.dns !== undefined) gauge('probe_dns_duration_seconds', 'Duration of DNS request by phase.', ['phase']).set({ phase: 'request' }, result.phases.dns);
  gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list.').set((result.dns?.addresses.length ?? 0) + (result.dns?.cnames.length ?? 0));
}
