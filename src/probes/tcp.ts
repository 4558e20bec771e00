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

/**
 * Connects to an IP address. Rejects with a ProbeError of phase 'connect'; the socket
 * is destroyed on every failure path and is the caller's to destroy on success.
 */
export async function connectTcp(
  address: string,
  port: number,
  signal: AbortSignal,
  timeoutSeconds?: number,
): Promise<TcpConnection> {
  const start = now();
  const socket = net.connect({ host: address, port, noDelay: true });
  try {
    const end = await waitFor<bigint>('connect', signal, timeoutSeconds, (settle) => {
      const onConnect = (): void => settle.resolve(now());
      const onError = (err: Error): void => {
        const code = errorCode(err);
        settle.reject(new ProbeError('connect', connectReason(code), `connect ${address}:${port}: ${errorMessage(err)}`));
      };
      socket.once('connect', onConnect).once('error', onError);
      return () => socket.off('connect', onConnect).off('error', onError);
    });
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
 * so there are no DNS details and the address is the proxy's.
 */
export async function dial(run: ProbeRun, host: string, port: number, options: ProbeOptions): Promise<net.Socket> {
  const proxy = options.proxy ? proxyEndpoint(options.proxy.url) : undefined;
  const peer = proxy ?? { host, port };
  const resolution = await run.step('dns', () => resolveHost(peer.host, options, run.signal));
  if (resolution.details && !proxy) run.result.dns = resolution.details;
  run.result.address = resolution.address;
  const { socket } = await run.step('connect', () =>
    connectTcp(resolution.address, peer.port, run.signal, run.remainingSeconds()),
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
