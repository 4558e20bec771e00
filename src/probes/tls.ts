/**
 * TLS handshake verification and details; the client is started and timed in tls-start.ts.
 * Node is told not to reject anything: verification is done here so that the chain is
 * always recorded and each failure gets its own reason.
 */
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { errorCode, tlsVerifyReason } from './errors.js';
import type { TlsDetails } from './result.js';
import { PartialFailure } from './run.js';
import type { ProbeOptions } from './target.js';
import { peerChain } from './tls-chain.js';
import { lateErrors, startTls, type TlsStart } from './tls-start.js';

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

/** An OpenSSL error (an alert) the server sent after the client finished its handshake. */
export function alertAfterHandshake(socket: Socket): Error | undefined {
  const err = lateErrors.get(socket);
  return err && errorCode(err).startsWith('ERR_SSL_') ? err : undefined;
}

/** The name the certificate must match: options.tls.serverName, else the URL host or IP. */
export function tlsHostname(servername: string, options: HandshakeOptions['options']): string {
  return options.tls.serverName ?? servername;
}

function detailsOf(started: TlsStart, verifyError: string | undefined): TlsDetails {
  const { socket } = started;
  const details: TlsDetails = {
    version: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    alpn: socket.alpnProtocol || '',
    chain: peerChain(socket, started.context, started.peer()),
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
function verify(socket: tls.TLSSocket, hostname: string, peer: tls.PeerCertificate | undefined): VerifyError | undefined {
  // Node stores the OpenSSL code string here despite the Error typing.
  const chainError = socket.authorizationError as Error | string | null | undefined;
  if (chainError) {
    const code = typeof chainError === 'string' ? chainError : chainError.message;
    return { code, message: code };
  }
  const nameError = tls.checkServerIdentity(hostname, peer ?? socket.getPeerCertificate());
  return nameError ? { code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: nameError.message } : undefined;
}

/**
 * Handshakes over a connected `socket`. Rejects with a ProbeError of phase 'tls' and
 * destroys both sockets on failure; a verification failure is a PartialFailure carrying
 * the details and the handshake time.
 */
export async function handshake(socket: Socket, { servername, options, signal }: HandshakeOptions): Promise<TlsConnection> {
  const hostname = tlsHostname(servername, options);
  return finishHandshake(startTls(socket, hostname, options.tls.ca), socket, { servername: hostname, options, signal });
}

/** Waits for a handshake started by startTls() (on a socket still connecting, or not) and verifies it. */
export async function finishHandshake(started: TlsStart, socket: Socket, { servername: hostname, options, signal }: HandshakeOptions): Promise<TlsConnection> {
  const tlsSocket = started.socket;
  try {
    const seconds = await started.done(signal);
    const peer = started.peer();
    const verifyError = verify(tlsSocket, hostname, peer);
    const details = detailsOf(started, verifyError?.code);
    if (verifyError !== undefined && !options.tls.insecureSkipVerify) {
      const message = `certificate for ${hostname} rejected: ${verifyError.message}`;
      const partial = { tls: details, phases: { tls: seconds } };
      throw new PartialFailure('tls', tlsVerifyReason(verifyError.code), message, partial);
    }
    return { socket: tlsSocket, seconds, details };
  } catch (err) {
    tlsSocket.destroy();
    socket.destroy();
    throw err;
  }
}
