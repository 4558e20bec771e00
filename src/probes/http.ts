/**
 * The HTTP(S) probe: dns -> connect -> tls (https) -> first_byte -> transfer, all on one
 * connection. Redirects are not followed: a 3xx is a valid answer of the front door.
 * With options.proxy, `dial` opens an HTTP CONNECT tunnel (proxy.ts) for https and plain
 * http alike, and TLS and the request run through it.
 */
import { exchange } from './http-exchange.js';
import { ProbeError } from './result.js';
import { runPhases } from './run.js';
import type { ProbeRun } from './run.js';
import type { HttpTargetSpec, Probe, ProbeOptions } from './target.js';
import { dial } from './tcp.js';
import type { OnConnecting } from './tcp.js';
import { finishHandshake, handshake, tlsHostname } from './tls.js';
import { startTls, type TlsStart } from './tls-start.js';
import { VERSION } from '../util/version.js';

const USER_AGENT = `o365-exporter/${VERSION}`;

/** Default success rule: anything the front door answers below 500, except a proxy asking for credentials. */
export function checkStatus(statusCode: number, validStatusCodes?: number[]): void {
  const valid = validStatusCodes ? validStatusCodes.includes(statusCode) : statusCode < 500 && statusCode !== 407;
  if (valid) return;
  if (statusCode === 407) {
    throw new ProbeError('first_byte', 'proxy_auth_required', 'HTTP 407: a proxy in the path requires authentication');
  }
  throw new ProbeError('first_byte', 'http_invalid_status', `HTTP status ${statusCode} not accepted`);
}

/** Lower-cased names, so spec.headers override the defaults instead of duplicating them. */
function requestHeaders(url: URL, extra: Record<string, string>): Record<string, string> {
  const headers: Record<string, string> = { host: url.host, 'user-agent': USER_AGENT };
  for (const [name, value] of Object.entries(extra)) headers[name.toLowerCase()] = value;
  return headers;
}

/** URL.hostname keeps the brackets of an IPv6 literal. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Starts the TLS client while TCP connects: the TLSSocket, context, OpenSSL objects and the
 * ClientHello itself are built outside both timed windows, and the ClientHello is sent once
 * connected (startTls). Anything thrown here (a CA that does not parse) is thrown
 * again by handshake() in the tls phase.
 */
function armTls(run: ProbeRun, host: string, options: ProbeOptions, armed: { tls?: TlsStart }): OnConnecting {
  return (socket) => {
    try {
      const started = startTls(socket, tlsHostname(host, options), options.tls.ca);
      run.defer(() => started.socket.destroy());
      armed.tls = started;
    } catch {
      // handshake() retries on the connected socket and fails in its own phase.
    }
  };
}

export const httpProbe: Probe<HttpTargetSpec> = (target, options, ctx) =>
  runPhases(options, ctx, async (run) => {
    const { url, method, headers, validStatusCodes } = target.spec;
    const https = url.protocol === 'https:';
    if (!https && url.protocol !== 'http:') {
      throw new ProbeError('connect', 'internal_error', `unsupported URL scheme ${url.protocol}`);
    }
    const host = hostOf(url);
    const armed: { tls?: TlsStart } = {};
    let socket = await dial(run, host, Number(url.port) || (https ? 443 : 80), options, https ? armTls(run, host, options, armed) : undefined);
    if (https) {
      const handshakeOptions = { servername: tlsHostname(host, options), options, signal: run.signal };
      const started = armed.tls;
      const secure = await run.step('tls', () =>
        started ? finishHandshake(started, socket, handshakeOptions) : handshake(socket, handshakeOptions),
      );
      run.result.tls = secure.details;
      run.defer(() => secure.socket.destroy());
      socket = secure.socket;
      // Node sends the client Finished when the native read that completed the handshake
      // returns, after the promise jobs it ran: written from here, the request would join it
      // in one segment and the server would verify the Finished inside first_byte's window.
      // A macrotask later the Finished has left: two segments, as Go's client sends them.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const request = { url, method, headers: requestHeaders(url, headers) };
    await exchange(run, socket, request, options, (status) => checkStatus(status, validStatusCodes));
  });
