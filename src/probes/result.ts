/**
 * What every probe answers. Probes know nothing of metrics: they return this, and
 * src/metrics/ turns it into series.
 */

/** Phases of one connection's waterfall, in the order they happen. */
export const PHASES = ['dns', 'connect', 'proxy_connect', 'tls', 'first_byte', 'transfer', 'udp'] as const;
export type Phase = (typeof PHASES)[number];

/**
 * The closed set of reasons a probe can fail with. Stable: they are label values and
 * appear in alerts, so a new one is added here, never made up at the failure site.
 */
export const REASONS = [
  // dns
  'dns_nxdomain',
  'dns_servfail',
  'dns_refused',
  'dns_rcode_other',
  'dns_timeout',
  'dns_malformed',
  'dns_no_address',
  'dns_cname_loop',
  'dns_network_error',
  // connect
  'connect_refused',
  'connect_timeout',
  'connect_unreachable',
  'connect_reset',
  // proxy (HTTP CONNECT)
  'proxy_auth_required',
  'proxy_refused',
  // tls
  'tls_handshake_failed',
  'tls_timeout',
  'tls_cert_expired',
  'tls_hostname_mismatch',
  'tls_untrusted_issuer',
  // http
  'http_timeout',
  'http_invalid_status',
  'http_protocol_error',
  'http_headers_too_large',
  'http_body_too_large',
  'http_connection_closed',
  // udp / stun
  'udp_timeout',
  'udp_malformed',
  'udp_unreachable',
  // anything else
  'aborted',
  'internal_error',
] as const;
export type Reason = (typeof REASONS)[number];

export interface DnsDetails {
  /** host:port of the resolver that answered (or was last tried). */
  resolver: string;
  rcode: string;
  transport: 'udp' | 'tcp';
  /** CNAME chain from the queried name to the last alias, in order. */
  cnames: string[];
  addresses: string[];
  ttlSeconds?: number;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** Unix seconds. */
  notAfter: number;
  notBefore: number;
  fingerprint256: string;
}

export interface TlsDetails {
  version: string;
  cipher: string;
  alpn: string;
  /** Leaf first, then intermediates up to the last certificate the server sent or the root. */
  chain: CertificateSummary[];
  authorized: boolean;
  authorizationError?: string;
}

export interface HttpDetails {
  statusCode: number;
  httpVersion: string;
  /** Lower-case header names; only the ones kept for diagnostics (see probes/http.ts). */
  headers: Record<string, string>;
  bodyBytes: number;
}

export interface UdpDetails {
  sent: number;
  received: number;
  /** Seconds, one entry per answered request, in send order. */
  rtts: number[];
  jitterSeconds?: number;
  mappedAddress?: string;
}

export interface ProbeFailure {
  phase: Phase;
  reason: Reason;
  /** Human text for logs and the CLI; never a label value. */
  message: string;
}

export interface ProbeResult {
  success: boolean;
  /** Wall-clock start (Unix ms), for "age" gauges; durations come from the monotonic clock. */
  startedAt: number;
  /** Seconds from probe start to the end of the last phase run. */
  durationSeconds: number;
  /** Seconds per phase that was measured; a phase not reached is absent, never 0. */
  phases: Partial<Record<Phase, number>>;
  failure?: ProbeFailure;
  /** IP actually connected to. */
  address?: string;
  dns?: DnsDetails;
  tls?: TlsDetails;
  http?: HttpDetails;
  udp?: UdpDetails;
}

/** A failure raised inside a probe phase; the probe turns it into ProbeResult.failure. */
export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly phase: Phase,
    readonly reason: Reason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isProbeError(err: unknown): err is ProbeError {
  return err instanceof ProbeError;
}
