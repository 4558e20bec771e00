/**
 * Probing through an explicit HTTP proxy: an HTTP CONNECT tunnel opened on a socket
 * already connected to the proxy, timed from writing the request to the end of the
 * proxy's answer head (phase proxy_connect). The target host travels in the CONNECT line
 * and is resolved by the proxy, not here. Plain-HTTP targets use a tunnel too (one code
 * path, and the request then reaches the origin exactly as it would directly).
 *
 * Credentials from the proxy URL go into Proxy-Authorization and nowhere else: messages
 * name the proxy by host:port only.
 */
import { isIPv6 } from 'node:net';
import type { Socket } from 'node:net';
import { now, secondsSince } from '../util/clock.js';
import { VERSION } from '../util/version.js';
import { errorMessage } from './errors.js';
import { ProbeError } from './result.js';
import { PartialFailure } from './run.js';
import { waitFor } from './wait.js';

export interface ProxyEndpoint {
  host: string;
  port: number;
  /** `Basic ...` when the URL carries user:password. */
  authorization?: string;
}

/** Largest answer head accepted from a proxy; real ones send a few hundred bytes. */
export const MAX_PROXY_HEAD_BYTES = 16 * 1024;

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Host, port (80 when the URL has none, as for any http: URL) and Basic credentials. */
export function proxyEndpoint(url: URL): ProxyEndpoint {
  const endpoint: ProxyEndpoint = { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || 80 };
  if (url.username || url.password) {
    const pair = `${decode(url.username)}:${decode(url.password)}`;
    endpoint.authorization = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
  }
  return endpoint;
}

/** Names, IPv4 and IPv6 literals only: anything else could smuggle header lines. */
const SAFE_HOST = /^[A-Za-z0-9._:-]+$/;

export function connectRequest(host: string, port: number, authorization?: string): string {
  if (!SAFE_HOST.test(host)) throw new ProbeError('proxy_connect', 'internal_error', `invalid host for CONNECT: ${JSON.stringify(host)}`);
  const authority = isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const lines = [`CONNECT ${authority} HTTP/1.1`, `Host: ${authority}`, `User-Agent: o365-exporter/${VERSION}`];
  if (authorization) lines.push(`Proxy-Authorization: ${authorization}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Status code of an HTTP/1.x status line, or undefined when the line is not one. */
export function parseStatusLine(line: string): number | undefined {
  const match = /^HTTP\/1\.[01] ([1-5]\d\d)(?:[ \t].*)?$/.exec(line);
  return match ? Number(match[1]) : undefined;
}

export interface ProxyAnswer {
  statusCode: number;
  /** Monotonic stamp of the chunk that completed the head. */
  end: bigint;
  /** Bytes after the head (tunnel data a proxy sent early); pushed back into the socket. */
  rest: Buffer;
}

const HEAD_END = /\r?\n\r?\n/;

/** What the bytes received so far say: wait for more, an answer, or a reason to give up. */
export function scanHead(head: Buffer, maxBytes: number): { statusCode: number; headBytes: number } | { error: string } | undefined {
  // latin1 maps bytes 1:1, so string offsets are byte offsets.
  const text = head.toString('latin1');
  const prefix = text.slice(0, 5);
  if (!'HTTP/'.startsWith(prefix)) return { error: 'proxy answered something other than HTTP' };
  const end = HEAD_END.exec(text);
  if (!end) return head.length > maxBytes ? { error: `proxy answer head larger than ${maxBytes} bytes` } : undefined;
  if (end.index > maxBytes) return { error: `proxy answer head larger than ${maxBytes} bytes` };
  const statusCode = parseStatusLine(text.slice(0, text.search(/\r?\n/)));
  if (statusCode === undefined) return { error: 'proxy answered with an invalid status line' };
  return { statusCode, headBytes: end.index + end[0].length };
}

/** Reads the proxy's answer head; rejects with proxy_refused on garbage, a huge head or a close. */
export function readProxyAnswer(socket: Socket, signal: AbortSignal, maxBytes = MAX_PROXY_HEAD_BYTES): Promise<ProxyAnswer> {
  return waitFor<ProxyAnswer>('proxy_connect', signal, undefined, (settle) => {
    let head = Buffer.alloc(0);
    const refuse = (message: string): void => settle.reject(new ProbeError('proxy_connect', 'proxy_refused', message));
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while ((chunk = socket.read() as Buffer | null) !== null) {
        const end = now();
        head = Buffer.concat([head, chunk]);
        const scan = scanHead(head, maxBytes);
        if (scan === undefined) continue;
        if ('error' in scan) return refuse(scan.error);
        return settle.resolve({ statusCode: scan.statusCode, end, rest: head.subarray(scan.headBytes) });
      }
    };
    const onEnd = (): void => refuse('proxy closed the connection before answering CONNECT');
    const onError = (err: Error): void => refuse(`proxy connection failed during CONNECT: ${errorMessage(err)}`);
    socket.on('readable', onReadable).once('end', onEnd).once('close', onEnd).once('error', onError);
    return () => socket.off('readable', onReadable).off('end', onEnd).off('close', onEnd).off('error', onError);
  });
}

/**
 * Asks the proxy for a tunnel to host:port over `socket`. Resolves with the proxy_connect
 * time once the proxy answered 2xx; a 407 is proxy_auth_required, anything else
 * proxy_refused, both carrying the time the proxy took to say no.
 */
export async function openTunnel(socket: Socket, proxy: ProxyEndpoint, host: string, port: number, signal: AbortSignal): Promise<{ seconds: number }> {
  const request = connectRequest(host, port, proxy.authorization);
  const start = now();
  socket.write(request);
  const answer = await readProxyAnswer(socket, signal);
  const seconds = secondsSince(start, answer.end);
  const where = `proxy ${proxy.host}:${proxy.port}`;
  const partial = { phases: { proxy_connect: seconds } };
  if (answer.statusCode === 407) {
    const message = `${where} answered 407 to CONNECT ${host}:${port}: ${proxy.authorization ? 'credentials rejected' : 'authentication required'}`;
    throw new PartialFailure('proxy_connect', 'proxy_auth_required', message, partial);
  }
  if (answer.statusCode < 200 || answer.statusCode > 299) {
    throw new PartialFailure('proxy_connect', 'proxy_refused', `${where} answered ${answer.statusCode} to CONNECT ${host}:${port}`, partial);
  }
  if (answer.rest.length > 0) socket.unshift(answer.rest);
  return { seconds };
}
