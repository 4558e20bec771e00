/**
 * One HTTP/1.1 request with undici over a socket the probe already connected (and
 * handshook), so dns/connect/tls/first_byte/transfer all belong to one connection.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { Client } from 'undici';
import type { buildConnector } from 'undici';
import { now, secondsSince } from '../util/clock.js';
import { abortError, errorCode, errorMessage, httpReason } from './errors.js';
import { instrument } from './http-timing.js';
import type { SocketTiming } from './http-timing.js';
import { ResponseReader, type ResponseHead } from './http-response.js';
import type { HttpDetails, Phase } from './result.js';
import { ProbeError, isProbeError } from './result.js';
import { PartialFailure, type ProbeRun } from './run.js';
import { alertAfterHandshake } from './tls.js';
import type { HttpTargetSpec, ProbeOptions } from './target.js';

export interface ExchangeRequest {
  url: URL;
  method: HttpTargetSpec['method'];
  headers: Record<string, string>;
}

/** The reason every probe's connection is torn down with once the probe is over (never a failure). */
const PROBE_DONE = new Error('probe finished: connection closed by the prober');

/** What is kept of the response headers for diagnostics (X-FEServer, X-MSEdge-Ref...). */
const MAX_HEADERS = 64;
const MAX_HEADER_VALUE = 256;

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers).slice(0, MAX_HEADERS)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    kept[name.toLowerCase()] = text.slice(0, MAX_HEADER_VALUE);
  }
  return kept;
}

/**
 * Gives undici our socket, once: a second connect (a retry) must not open a new
 * connection. Called back on the next tick: undici's resume loop is not re-entrant and
 * silently drops a synchronous callback, leaving the request unsent.
 */
function handOver(socket: Socket): buildConnector.connector {
  let used = false;
  return (_options, callback) => {
    const first = !used;
    used = true;
    process.nextTick(() => (first ? callback(null, socket) : callback(new Error('probe connection already used'), null)));
  };
}

function toProbeError(err: unknown, phase: Phase, signal: AbortSignal, socket?: Socket): ProbeError {
  if (isProbeError(err)) return err;
  if (signal.aborted) return abortError(signal, phase);
  // TLS 1.3: the client is done before the server has checked it (e.g. a client
  // certificate it demands); the server's alert then ends the connection mid-request.
  const alert = socket && alertAfterHandshake(socket);
  if (alert) return new ProbeError('tls', 'tls_handshake_failed', `tls: the server ended the handshake: ${errorMessage(alert)}`, { cause: alert });
  return new ProbeError(phase, httpReason(errorCode(err)), `http: ${errorMessage(err)}`, { cause: err });
}

/**
 * Response bytes that arrived before the head failed (a server trickling one byte a
 * second, a head too large) are a real first-byte time: keep it with the failure.
 */
function withFirstByte(err: ProbeError, timing: SocketTiming): ProbeError {
  if (err instanceof PartialFailure || timing.written === undefined || timing.firstByte === undefined) return err;
  const phases = { first_byte: secondsSince(timing.written, timing.firstByte) };
  return new PartialFailure(err.phase, err.reason, err.message, { phases }, { cause: err });
}

/** Sends the request; resolves with the head, its first_byte time from the socket stamps. */
async function headersOf(
  run: ProbeRun,
  client: Client,
  request: ExchangeRequest,
  reader: ResponseReader,
  timing: SocketTiming,
  socket: Socket,
): Promise<ResponseHead> {
  const { head } = await run.step('first_byte', async () => {
    const { url, method, headers } = request;
    client.dispatch({ path: `${url.pathname}${url.search}`, method, headers }, reader);
    const got = await reader.head.catch((err: unknown) => {
      throw withFirstByte(toProbeError(err, 'first_byte', run.signal, socket), timing);
    });
    // Both stamps exist once undici has a response; fall back to "now" rather than crash.
    const seconds = secondsSince(timing.written ?? now(), timing.firstByte ?? now());
    return { head: got, seconds };
  });
  return head;
}

/**
 * Sends the request over `socket` and reads the response. Records first_byte, then
 * http details, lets `checkStatus` reject the answer, then reads the body (transfer).
 */
export async function exchange(
  run: ProbeRun,
  socket: Socket,
  request: ExchangeRequest,
  options: Pick<ProbeOptions, 'http'>,
  checkStatus: (statusCode: number) => void,
): Promise<void> {
  if (socket.destroyed) {
    throw new ProbeError('first_byte', 'http_connection_closed', 'connection closed before the request was sent');
  }
  const timing = instrument(socket);
  const ms = Math.max(1, Math.ceil(run.remainingSeconds() * 1000));
  const client = new Client(request.url.origin, {
    connect: handOver(socket),
    pipelining: 1,
    maxHeaderSize: options.http.maxHeaderBytes,
    headersTimeout: ms,
    bodyTimeout: ms,
  });
  // Both ended with one error built at load: undici otherwise builds a SocketError (with
  // the socket's addresses) and a ClientDestroyedError per probe, stacks captured (~1% of CPU).
  run.defer(() => {
    socket.destroy(PROBE_DONE);
    return client.destroy(PROBE_DONE);
  });

  const reader = new ResponseReader(options.http.maxBodyBytes);
  const onAbort = (): void => reader.abort(run.signal.reason instanceof Error ? run.signal.reason : new Error('probe aborted'));
  if (run.signal.aborted) onAbort();
  else {
    run.signal.addEventListener('abort', onAbort, { once: true });
    run.defer(() => run.signal.removeEventListener('abort', onAbort));
  }

  const response = await headersOf(run, client, request, reader, timing, socket);
  const details: HttpDetails = {
    statusCode: response.statusCode,
    httpVersion: timing.httpVersion ?? '1.1',
    headers: keptHeaders(response.headers),
    bodyBytes: 0,
  };
  run.result.http = details;
  checkStatus(response.statusCode);

  await run.step('transfer', async () => {
    try {
      const end = await reader.end;
      return { seconds: secondsSince(timing.firstByte ?? end, end) };
    } catch (err) {
      throw toProbeError(err, 'transfer', run.signal, socket);
    } finally {
      details.bodyBytes = reader.bodyBytes;
    }
  });
}
