/**
 * One on-demand probe result rendered with blackbox_exporter's metric names (see
 * REFERENCE.md section 4), so dashboards built for blackbox_exporter work unchanged
 * against /probe. Written straight to text: a prom-client Registry and a dozen Gauges
 * per request cost more CPU than everything else in the answer.
 */
import { isIPv6 } from 'node:net';
import type { ProbeResult } from '../probes/result.js';
import { formatValue, labelPairs } from './exposition.js';

export type ProbeKind = 'http' | 'tcp' | 'dns';

/** Prometheus text format 0.0.4, as prom-client's Registry.contentType. */
export const BLACKBOX_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Labels as an object, or already written as `name="value"` pairs (constant ones, rendered once). */
type Sample = [labels: Record<string, string> | string, value: number];

/** Gauges in the order they are added, each with its HELP and TYPE lines, laid out as prom-client does. */
class Exposition {
  /** Families so far, separated by a blank line; one string grown in place, no arrays per family. */
  private text = '';

  gauge(name: string, help: string, value: number | Sample[]): void {
    let family = `# HELP ${name} ${help}\n# TYPE ${name} gauge`;
    if (typeof value === 'number') family += `\n${name} ${formatValue(value)}`;
    else {
      for (const [labels, v] of value) family += `\n${name}{${typeof labels === 'string' ? labels : labelPairs(labels)}} ${formatValue(v)}`;
    }
    this.text = this.text ? `${this.text}\n\n${family}` : family;
  }

  toString(): string {
    return `${this.text}\n`;
  }
}

export async function renderBlackbox(result: ProbeResult, kind: ProbeKind): Promise<{ body: string; contentType: string }> {
  return { body: renderBlackboxText(result, kind), contentType: BLACKBOX_CONTENT_TYPE };
}

export function renderBlackboxText(result: ProbeResult, kind: ProbeKind): string {
  const out = new Exposition();
  out.gauge('probe_success', 'Whether the probe succeeded.', result.success ? 1 : 0);
  out.gauge('probe_duration_seconds', 'How long the probe took.', result.durationSeconds);
  if (result.phases.dns !== undefined) out.gauge('probe_dns_lookup_time_seconds', 'Time taken for the DNS lookup.', result.phases.dns);
  if (result.address) out.gauge('probe_ip_protocol', 'IP protocol version used (4 or 6).', isIPv6(result.address) ? 6 : 4);
  if (result.failure) {
    const { phase, reason } = result.failure;
    out.gauge('probe_failure_info', 'Phase and reason of the failure (o365-exporter extension).', [[{ phase, reason }, 1]]);
  }
  if (kind === 'http') renderHttp(result, out);
  if (kind === 'dns') renderDns(result, out);
  return out.toString();
}

/** The phase labels of probe_http_duration_seconds, written once. */
const PHASE = {
  resolve: labelPairs({ phase: 'resolve' }),
  connect: labelPairs({ phase: 'connect' }),
  tls: labelPairs({ phase: 'tls' }),
  processing: labelPairs({ phase: 'processing' }),
  transfer: labelPairs({ phase: 'transfer' }),
};

function renderHttp(result: ProbeResult, out: Exposition): void {
  const { phases } = result;
  const durations: Sample[] = [
    [PHASE.resolve, phases.dns ?? 0],
    [PHASE.connect, phases.connect ?? 0],
    [PHASE.tls, phases.tls ?? 0],
    [PHASE.processing, phases.first_byte ?? 0],
    [PHASE.transfer, phases.transfer ?? 0],
  ];
  out.gauge('probe_http_duration_seconds', 'Duration of the HTTP request by phase, summed over all redirects.', durations);
  out.gauge('probe_http_status_code', 'Response HTTP status code.', result.http?.statusCode ?? 0);
  out.gauge('probe_http_ssl', 'Whether TLS was used for the final request.', result.tls ? 1 : 0);
  if (result.http) {
    out.gauge('probe_http_version', 'Returns the version of HTTP of the probe response.', Number(result.http.httpVersion) || 0);
    out.gauge('probe_http_uncompressed_body_length', 'Length of uncompressed response body.', result.http.bodyBytes);
  }
  const tls = result.tls;
  if (tls) {
    if (tls.chain.length) out.gauge('probe_ssl_earliest_cert_expiry', 'Returns last SSL chain expiry in unixtime.', Math.min(...tls.chain.map((c) => c.notAfter)));
    out.gauge('probe_tls_version_info', 'Returns the TLS version used or NaN when unknown.', [[{ version: tls.version }, 1]]);
    out.gauge('probe_tls_cipher_info', 'Returns the TLS cipher negotiated during handshake.', [[{ cipher: tls.cipher }, 1]]);
  }
}

function renderDns(result: ProbeResult, out: Exposition): void {
  if (result.phases.dns !== undefined) out.gauge('probe_dns_duration_seconds', 'Duration of DNS request by phase.', [[{ phase: 'request' }, result.phases.dns]]);
  const answers = (result.dns?.addresses.length ?? 0) + (result.dns?.cnames.length ?? 0);
  out.gauge('probe_dns_answer_rrs', 'Returns number of entries in the answer resource record list.', answers);
}
