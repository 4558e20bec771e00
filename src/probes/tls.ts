/**
 * TLS handshake over an already connected socket, timed from tls.connect() to
 * 'secureConnect'. Node is told not to reject anything: verification is done here so
 * that the chain is always recorded and each failure gets its own reason.
 */
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { now, secondsSince } from '../util/clock.js';
import { errorCode, errorMessage, tlsVerifyReason } from './errors.js';
import { ProbeError } from './result.js';
import type { TlsDetails } from './result.js';
import { PartialFailure } from './run.js';
import type { ProbeOptions } from './target.js';
import { peerChain } from './tls-chain.js';
import { waitFor } from './wait.js';

export interface HandshakeOptions {
  /** The name the certificate must match (URL host or IP); options.tls.serverName overrides it. */
  servername: string;
  options: Pick<ProbeOptions, 'tls'>;
  signal: AbortSignal;
}

export interface TlsConnection {
  socket: tls.TLSSocket;
  seconds: number;
  details: TlsDetails;
}

const noop = (): void => {};

/** The first error a TLS socket reported after 'secureConnect' (an alert from the server). */
const lateErrors = new WeakMap<Socket, Error>();

/** An OpenSSL error (an alert) the server sent after the client finished its handshake. */
export function alertAfterHandshake(socket: Socket): Error | undefined {
  const err = lateErrors.get(socket);
  return err && errorCode(err).startsWith('ERR_SSL_') ? err : undefined;
}

// Building a context from ~150 roots costs milliseconds of CPU: once per distinct extra CA.
const contexts = new Map<string, tls.SecureContext>();

/** Undefined: Node's default store (system roots + NODE_EXTRA_CA_CERTS). */
function secureContextFor(extraCa: string | undefined): tls.SecureContext | undefined {
  if (extraCa === undefined) return undefined;
  let context = contexts.get(extraCa);
  if (!context) {
    if (contexts.size >= 64) contexts.clear();
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, extraCa] });
    contexts.set(extraCa, context);
  }
  return context;
}

function detailsOf(socket: tls.TLSSocket, verifyError: string | undefined): TlsDetails {
  const details: TlsDetails = {
    version: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    alpn: socket.alpnProtocol || '',
    chain: peerChain(socket),
    authorized: verifyError === undefined,
  };
  if (verifyError !== undefined) details.authorizationError = verifyError;
  return details;
}

interface VerifyError {
  /** OpenSSL verify code or ERR_TLS_CERT_ALTNAME_INVALID. */
  code: string;
  message: string;
}

/** Chain errors from OpenSSL first (an expired cert is reported as such), then the name. */
function verify(socket: tls.TLSSocket, hostname: string): VerifyError | undefined {
  // Node stores the OpenSSL code string here despite the Error typing.
  const chainError = socket.authorizationError as Error | string | null | undefined;
  if (chainError) {
    const code = typeof chainError === 'string' ? chainError : chainError.message;
    return { code, message: code };
  }
  const nameError = tls.checkServerIdentity(hostname, socket.getPeerCertificate());
  return nameError ? { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: nameError.message } : undefined;
}

function waitSecure(socket: tls.TLSSocket, signal: AbortSignal): Promise<bigint> {
  return waitFor<bigint>('tls', signal, undefined, (settle) => {
    const fail = (message: string): void => settle.reject(new ProbeError('tls', 'tls_handshake_failed', message));
    // The handshake ends at 'secure'; Node then converts the peer chain for its own identity
    // check before 'secureConnect' (0.02 ms for a one-certificate chain measured here; the
    // bench profile put it at up to ~0.6 ms with a full chain): our CPU, not network time.
    // The stamp is taken first among 'secure' listeners.
    let handshakeDone: bigint | undefined;
    const onHandshake = (): void => {
      handshakeDone = now();
    };
    const onSecure = (): void => settle.resolve(handshakeDone ?? now());
    const onError = (err: Error): void => fail(`tls handshake: ${errorMessage(err)}`);
    const onClose = (): void => fail('tls handshake: connection closed by peer');
    socket.prependOnceListener('secure', onHandshake);
    socket.once('secureConnect', onSecure).once('error', onError).once('close', onClose);
    return () => socket.off('secure', onHandshake).off('secureConnect', onSecure).off('error', onError).off('close', onClose);
  });
}

/**
 * Handshakes over `socket`. Rejects with a ProbeError of phase 'tls' and destroys both
 * sockets on failure; a verification failure is a PartialFailure carrying the details
 * and the handshake time.
 */
export async function handshake(socket: Socket, { servername, options, signal }: HandshakeOptions): Promise<TlsConnection> {
  const hostname = options.tls.serverName ?? servername;
  // Built before the clock starts: loading the roots is our CPU time, not the network's.
  const secureContext = secureContextFor(options.tls.ca);
  const start = now();
  const tlsSocket = tls.connect({
    socket,
    // SNI must not carry an IP literal (RFC 6066 section 3).
    servername: isIP(hostname) ? undefined : hostname,
    ALPNProtocols: ['http/1.1'],
    secureContext,
    rejectUnauthorized: false,
    // Node's own name check guesses the host ('localhost' for an IP over a given socket).
    checkServerIdentity: () => undefined,
  });
  try {
    const seconds = secondsSince(start, await waitSecure(tlsSocket, signal));
    const verifyError = verify(tlsSocket, hostname);
    const details = detailsOf(tlsSocket, verifyError?.code);
    if (verifyError !== undefined && !options.tls.insecureSkipVerify) {
      const message = `certificate for ${hostname} rejected: ${verifyError.message}`;
      const partial = { tls: details, phases: { tls: seconds } };
      throw new PartialFailure('tls', tlsVerifyReason(verifyError.code), message, partial);
    }
    // Registered before undici's listener, so the alert is known when undici fails the request.
    tlsSocket.on('error', (err) => void (lateErrors.has(tlsSocket) || lateErrors.set(tlsSocket, err)));
    return { socket: tlsSocket, seconds, details };
  } catch (err) {
    tlsSocket.on('error', noop).destroy();
    socket.destroy();
    throw err;
  }
}
