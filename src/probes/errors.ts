/**
 * Maps Node, OpenSSL and undici error codes to the closed set of Reasons, so every
 * probe labels the same failure the same way.
 */
import type { Phase, Reason } from './result.js';
import { ProbeError } from './result.js';

/** `code` of a Node/undici error, or '' when there is none. */
export function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return '';
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

const CONNECT_REASONS: Record<string, Reason> = {
  ECONNREFUSED: 'connect_refused',
  ETIMEDOUT: 'connect_timeout',
  ECONNRESET: 'connect_reset',
  EPIPE: 'connect_reset',
  EHOSTUNREACH: 'connect_unreachable',
  ENETUNREACH: 'connect_unreachable',
  EADDRNOTAVAIL: 'connect_unreachable',
};

/** Anything unlisted (ENETDOWN, EPERM from a local firewall...) still means "could not get there". */
export function connectReason(code: string): Reason {
  return CONNECT_REASONS[code] ?? 'connect_unreachable';
}

/** OpenSSL verification codes (socket.authorizationError) that mean "issuer not trusted". */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
]);

export function tlsVerifyReason(code: string): Reason {
  if (code === 'CERT_HAS_EXPIRED') return 'tls_cert_expired';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return 'tls_hostname_mismatch';
  if (UNTRUSTED_CODES.has(code)) return 'tls_untrusted_issuer';
  // Not yet valid, revoked, bad signature...: the certificate is unusable, the handshake as a whole failed.
  return 'tls_handshake_failed';
}

const HTTP_REASONS: Record<string, Reason> = {
  UND_ERR_HEADERS_OVERFLOW: 'http_headers_too_large',
  UND_ERR_HEADERS_TIMEOUT: 'http_timeout',
  UND_ERR_BODY_TIMEOUT: 'http_timeout',
  UND_ERR_CONNECT_TIMEOUT: 'http_timeout',
  UND_ERR_SOCKET: 'http_connection_closed',
  UND_ERR_CLOSED: 'http_connection_closed',
  UND_ERR_DESTROYED: 'http_connection_closed',
  ECONNRESET: 'http_connection_closed',
  EPIPE: 'http_connection_closed',
  UND_ERR_RES_EXCEEDED_MAX_SIZE: 'http_body_too_large',
};

/** llhttp parse errors are HPE_*; anything else undici rejects is a protocol problem too. */
export function httpReason(code: string): Reason {
  return HTTP_REASONS[code] ?? 'http_protocol_error';
}

const TIMEOUT_REASONS: Record<Phase, Reason> = {
  dns: 'dns_timeout',
  connect: 'connect_timeout',
  proxy_connect: 'connect_timeout',
  tls: 'tls_timeout',
  first_byte: 'http_timeout',
  transfer: 'http_timeout',
  udp: 'udp_timeout',
};

export function timeoutReason(phase: Phase): Reason {
  return TIMEOUT_REASONS[phase];
}

/** True when the signal fired because of a deadline (AbortSignal.timeout or runPhases' timer). */
export function isTimeoutAbort(signal: AbortSignal): boolean {
  const reason: unknown = signal.reason;
  return reason instanceof Error && reason.name === 'TimeoutError';
}

/** The failure for a phase cut short by `signal`: a timeout of that phase, or a plain abort. */
export function abortError(signal: AbortSignal, phase: Phase): ProbeError {
  if (isTimeoutAbort(signal)) return new ProbeError(phase, timeoutReason(phase), `${phase} timed out`);
  return new ProbeError(phase, 'aborted', `probe aborted during ${phase}`);
}
