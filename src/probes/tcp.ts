/**
 * TCP connect, timed from the connect() call to the socket's 'connect' event, and the
 * TCP probe (resolve + connect). Also `dial`, the dns+connect start shared with HTTP.
 */
import net from 'node:net';
import { now, secondsSince } from '../util/clock.js';
import { resolveHost } from './dns.js';
import { connectReason, errorCode, errorMessage } from './errors.js';
import { openTunnel, proxyEndpoint } from './proxy.js';
import { ProbeError } from './result.js';
import type { ProbeRun } from './run.js';
import { runPhases } from './run.js';
import type { Probe, ProbeOptions, TcpTargetSpec } from './target.js';
import { waitFor } from './wait.js';

export interface TcpConnection {
  socket: net.Socket;
  seconds: number;
}

const noop = (): void => {};

/** Called with the socket while it connects, e.g. to arm a TLS client whose ClientHello is sent once connected. Should not throw. */
export type OnConnecting = (socket: net.Socket) => void;

/**
 * Connects to an IP address. Rejects with a ProbeError of phase 'connect'; the socket
 * is destroyed on every failure path and is the caller's to destroy on success.
 */
export async function connectTcp(
  address: string,
  port: number,
  signal: AbortSignal,
  timeoutSeconds?: number,
  onConnecting?: OnConnecting,
): Promise<TcpConnection> {
  let start = now();
  const socket = net.connect({ host: address, port });
  // Node defers the connect() call for an IP literal to the next tick and announces it with
  // 'connectionAttempt' (Node >= 20.12): the clock starts there, at the syscall sending the
  // SYN, not before the rest of this tick's work. Older Node: the stamp above.
  socket.once('connectionAttempt', () => void (start = now()));
  try {
    const connected = waitFor<bigint>('connect', signal, timeoutSeconds, (settle) => {
      const onConnect = (): void => {
        settle.resolve(now());
        // Set here rather than with connect({noDelay}), which Node applies (a setsockopt)
        // between the connection completing and 'connect': inside the timed window.
        socket.setNoDelay(true);
      };
      const onError = (err: Error): void => {
        const code = errorCode(err);
        settle.reject(new ProbeError('connect', connectReason(code), `connect ${address}:${port}: ${errorMessage(err)}`));
      };
      // First among 'connect' listeners: before those of a TLS client armed by onConnecting.
      socket.prependOnceListener('connect', onConnect).once('error', onError);
      return () => socket.off('connect', onConnect).off('error', onError);
    });
    if (!signal.aborted && onConnecting) {
      try {
        onConnecting(socket);
      } catch (err) {
        connected.catch(noop);
        throw err;
      }
    }
    const end = await connected;
    // Later errors surface to whoever uses the socket next (TLS, undici) or as a destroyed
    // socket; without a listener, an RST between two phases would crash the process.
    socket.on('error', noop);
    return { socket, seconds: secondsSince(start, end) };
  } catch (err) {
    socket.on('error', noop).destroy();
    throw err;
  }
}

/**
 * dns then connect inside a run: records both phases, the DNS details and the address,
 * and destroys the socket when the run ends. With options.proxy, dns and connect are the
 * proxy's, then a CONNECT tunnel to host:port (proxy_connect); the proxy resolves `host`,
 * so there are no DNS details and the address is the proxy's. `onConnecting` sees the
 * socket to host:port while it connects (never the proxy's).
 */
export async function dial(run: ProbeRun, host: string, port: number, options: ProbeOptions, onConnecting?: OnConnecting): Promise<net.Socket> {
  const proxy = options.proxy ? proxyEndpoint(options.proxy.url) : undefined;
  const peer = proxy ?? { host, port };
  const resolution = await run.step('dns', () => resolveHost(peer.host, options, run.signal));
  if (resolution.details && !proxy) run.result.dns = resolution.details;
  run.result.address = resolution.address;
  const { socket } = await run.step('connect', () =>
    connectTcp(resolution.address, peer.port, run.signal, run.remainingSeconds(), proxy ? undefined : onConnecting),
  );
  run.defer(() => socket.destroy());
  if (proxy) await run.step('proxy_connect', () => openTunnel(socket, proxy, host, port, run.signal));
  return socket;
}

export const tcpProbe: Probe<TcpTargetSpec> = (target, options, ctx) =>
  runPhases(options, ctx, async (run) => {
    const socket = await dial(run, target.spec.host, target.spec.port, options);
    socket.destroy();
  });
