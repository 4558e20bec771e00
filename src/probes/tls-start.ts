/**
 * Starting a TLS client on a TCP socket, with the handshake timed from the socket's own
 * events: from 'connect' (or the call, on a connected socket), before the ClientHello is
 * written, to 'secure'. When the socket is handed over while still connecting, everything
 * built for the connection (context, TLSSocket, OpenSSL session object, the ClientHello
 * itself) is built outside the clock.
 */
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import tls from 'node:tls';
import { now, secondsSince } from '../util/clock.js';
import { errorMessage } from './errors.js';
import { ProbeError } from './result.js';
import { waitFor } from './wait.js';

// Building a context from ~150 roots costs milliseconds of CPU: once per distinct extra CA.
const contexts = new Map<string, tls.SecureContext>();

/**
 * Node's default store (bundled roots + NODE_EXTRA_CA_CERTS), built once: tls.connect()
 * without a context builds a new one per call (~0.3 ms of CPU inside the timed window,
 * plus an OpenSSL context per probe left for the GC). Client sessions are not cached in
 * a context (Node disables OpenSSL's internal cache), so probes never resume each other's.
 */
let defaultContext: tls.SecureContext | undefined;

/**
 * The TLS 1.3 suites in the order Edge and Chrome offer them, AES-128-GCM first (Node's
 * default puts AES-256-GCM-SHA384 first); TLS 1.2 and below as Node has them. A server that
 * follows the client's order (nginx's default) then runs the SHA-256 key schedule a browser
 * gets, ~0.05 ms less of both sides' CPU inside the tls phase (bench/results/tls-client-offer-ab/).
 */
export const CLIENT_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  ...tls.DEFAULT_CIPHERS.split(':').filter((c) => !c.startsWith('TLS_')),
].join(':');

export function secureContextFor(extraCa: string | undefined): tls.SecureContext {
  if (extraCa === undefined) return (defaultContext ??= tls.createSecureContext({ ciphers: CLIENT_CIPHERS }));
  let context = contexts.get(extraCa);
  if (!context) {
    if (contexts.size >= 64) contexts.clear();
    context = tls.createSecureContext({ ca: [...tls.rootCertificates, extraCa], ciphers: CLIENT_CIPHERS });
    contexts.set(extraCa, context);
  }
  return context;
}

/** The first error a TLS socket reported after 'secureConnect' (an alert from the server). */
export const lateErrors = new WeakMap<Socket, Error>();

export interface TlsStart {
  socket: tls.TLSSocket;
  /** The trust store the chain was verified against. */
  context: tls.SecureContext;
  /** The leaf as handed to Node's own name check; absent when the chain did not verify. */
  peer(): tls.PeerCertificate | undefined;
  /** Handshake seconds at 'secureConnect'; rejects with the tls phase's ProbeError (abort/timeout included). */
  done(signal: AbortSignal): Promise<number>;
}

/**
 * Starts a TLS client on `socket`, connected or still connecting (the ClientHello is then
 * built while it connects and sent once connected). Never throws for network reasons:
 * failures come from done().
 */
export function startTls(socket: Socket, hostname: string, extraCa: string | undefined): TlsStart {
  const secureContext = secureContextFor(extraCa);
  const connecting = socket.connecting;
  let peer: tls.PeerCertificate | undefined;
  let start = now();
  const tlsSocket = tls.connect({
    socket,
    // SNI must not carry an IP literal (RFC 6066 section 3).
    servername: isIP(hostname) ? undefined : hostname,
    ALPNProtocols: ['http/1.1'],
    secureContext,
    rejectUnauthorized: false,
    // Node's own name check guesses the host ('localhost' for an IP over a given socket):
    // the name is checked by the caller, with the leaf kept here.
    checkServerIdentity: (_host, cert) => void (peer = cert),
  });
  leafOnlyForNodeCheck(tlsSocket);
  if (connecting) {
    // The clock starts at 'connect', before anything of the handshake is written.
    tlsSocket.prependOnceListener('connect', () => void (start = now()));
    // After the SYN has left (Node connects on the tick that announces the attempt).
    socket.once('connectionAttempt', () => queueMicrotask(() => helloWhileConnecting(socket, tlsSocket)));
  }
  const outcome = handshakeOutcome(tlsSocket, () => start);
  return {
    socket: tlsSocket,
    context: secureContext,
    peer: () => peer,
    done: (signal) => waitFor<number>('tls', signal, undefined, (settle) => (outcome.then(settle.resolve, settle.reject), noop)),
  };
}

const noop = (): void => {};

type NodeStart = (this: tls.TLSSocket) => void;
/** Node 20-24 defer the start of a client on a connecting socket with `this.once('connect', this._start)`. */
const nodeStart = (tls.TLSSocket.prototype as unknown as { _start: NodeStart })._start;

/**
 * Builds the ClientHello while TCP connects, instead of on 'connect' as Node does: OpenSSL's
 * key share generation (~0.1 ms of CPU with OpenSSL 3.0, ~0.15 with 3.5's hybrid ML-KEM
 * share) then overlaps the round trip instead of sitting inside the TLS window. libuv queues
 * the write on the connecting socket and sends it on the first writable event after
 * 'connect', after the clock has started, so the window still holds the whole exchange. (A
 * clock started when Node's native start-and-write call returned was tried: a thread
 * descheduled in write(2) returned after the bytes had left, and TLS read up to 6 ms below
 * the wire.) Only when Node's own deferred start is found and removed: Node's TLS handle
 * aborts the process on a second start(); elsewhere Node starts the handshake on 'connect'
 * as before. (Node's _start() also requests OCSP when asked to; these clients never ask.)
 */
function helloWhileConnecting(socket: Socket, tlsSocket: tls.TLSSocket): void {
  const handle = (tlsSocket as unknown as { _handle?: { start?: () => void } | null })._handle;
  if (!socket.connecting || socket.destroyed || typeof handle?.start !== 'function') return;
  if (!tlsSocket.listeners('connect').includes(nodeStart)) return;
  tlsSocket.removeListener('connect', nodeStart);
  try {
    handle.start();
  } catch (err) {
    tlsSocket.destroy(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * Node's check after 'secure' converts the whole peer chain (getPeerCertificate(true): every
 * certificate re-parsed, ~0.2 ms of CPU each with OpenSSL 3.0) only to hand it to
 * checkServerIdentity, ours, which needs the leaf alone. Until 'secureConnect' the socket
 * answers with the leaf; the prototype's method is back afterwards.
 */
function leafOnlyForNodeCheck(socket: tls.TLSSocket): void {
  const restore = (): void => void Reflect.deleteProperty(socket, 'getPeerCertificate');
  const leaf = (): tls.PeerCertificate => tls.TLSSocket.prototype.getPeerCertificate.call(socket, false);
  Object.defineProperty(socket, 'getPeerCertificate', { value: leaf, configurable: true, writable: true });
  socket.once('secureConnect', restore).once('close', restore);
}

/**
 * Listens from the start: the handshake may end before anyone waits for it. The end stamp
 * is 'secure' (taken first among its listeners); Node then converts the peer chain for its
 * own check before 'secureConnect': our CPU, not network time. One error listener stays
 * for the socket's life, recording the first error after the handshake.
 */
function handshakeOutcome(socket: tls.TLSSocket, start: () => bigint): Promise<number> {
  let end: bigint | undefined;
  let established = false;
  socket.prependOnceListener('secure', () => void (end = now()));
  socket.on('error', (err) => void (established && !lateErrors.has(socket) && lateErrors.set(socket, err)));
  const outcome = new Promise<number>((resolve, reject) => {
    const fail = (message: string): void => {
      detach();
      reject(new ProbeError('tls', 'tls_handshake_failed', message));
    };
    const onSecure = (): void => {
      established = true;
      detach();
      resolve(secondsSince(start(), end ?? now()));
    };
    const onError = (err: Error): void => fail(`tls handshake: ${errorMessage(err)}`);
    const onClose = (): void => fail('tls handshake: connection closed by peer');
    const detach = (): void => void socket.off('secureConnect', onSecure).off('error', onError).off('close', onClose);
    socket.once('secureConnect', onSecure).once('error', onError).once('close', onClose);
  });
  // Observed through done(), or never when an earlier phase failed.
  outcome.catch(noop);
  return outcome;
}
