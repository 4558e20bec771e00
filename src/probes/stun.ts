/**
 * The STUN probe (Teams relay quality): resolve the relay, then send N Binding Requests
 * at a fixed spacing on one connected UDP socket and time each answer (matched by
 * transaction id) from just before send() to the 'message' event. Success: at least one
 * answer. udp details carry loss, RTTs, jitter and the mapped (egress) address; the udp
 * phase is the median RTT.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { now, secondsSince } from '../util/clock.js';
import { resolveHost } from './dns.js';
import { abortError, errorCode, errorMessage, isTimeoutAbort } from './errors.js';
import { ProbeError } from './result.js';
import type { UdpDetails } from './result.js';
import { runPhases } from './run.js';
import { decodeBindingResponse, encodeBindingRequest, newTransactionId } from './stun-packet.js';
import type { Probe, ProbeOptions, StunTargetSpec } from './target.js';
import { interarrivalJitter, median } from './udp-stats.js';
import { waitFor } from './wait.js';

export const DEFAULT_STUN: NonNullable<ProbeOptions['stun']> = { count: 10, spacingSeconds: 0.02 };
/** How long answers are awaited after the last request; later ones count as lost. */
export const GRACE_SECONDS = 1;
const MAX_COUNT = 100;

/** What one round saw; index i is the i-th request. */
export interface Round {
  sent: number;
  sentAt: bigint[];
  rtts: Array<number | undefined>;
  received: number;
  malformed: number;
  lastMalformed?: string;
  mappedAddress?: string;
  /** An ICMP error (port/host unreachable) or a send error stopped the round. */
  unreachable?: string;
}

export interface RoundPlan {
  count: number;
  spacingSeconds: number;
  /** Seconds from the first send to giving up on missing answers. */
  deadlineSeconds: number;
}

function connect(socket: dgram.Socket, address: string, port: number, signal: AbortSignal): Promise<void> {
  return waitFor<void>('udp', signal, undefined, (settle) => {
    const onConnect = (): void => settle.resolve();
    const onError = (err: Error): void => settle.reject(new ProbeError('udp', 'udp_unreachable', `udp connect ${address}:${port}: ${errorMessage(err)}`));
    socket.once('connect', onConnect).once('error', onError);
    socket.connect(port, address);
    return () => socket.off('connect', onConnect).off('error', onError);
  });
}

/** Sends the round's requests on a connected socket and collects answers until all came or the deadline. */
export function exchangeBindings(socket: dgram.Socket, plan: RoundPlan, signal: AbortSignal): Promise<Round> {
  const round: Round = { sent: 0, sentAt: [], rtts: [], received: 0, malformed: 0 };
  const pending = new Map<string, number>();
  const timers: NodeJS.Timeout[] = [];
  return new Promise<Round>((resolve, reject) => {
    const end = (fail?: ProbeError): void => {
      for (const timer of timers) clearTimeout(timer);
      socket.off('message', onMessage).off('error', onError);
      signal.removeEventListener('abort', onAbort);
      if (fail) reject(fail);
      else resolve(round);
    };
    const onMessage = (msg: Buffer): void => {
      const at = now();
      const decoded = decodeBindingResponse(msg);
      const index = decoded.ok ? pending.get(decoded.response.transactionId.toString('hex')) : undefined;
      if (!decoded.ok || index === undefined) {
        round.malformed += 1;
        round.lastMalformed = decoded.ok ? 'answer with an unknown transaction id' : decoded.error;
        return;
      }
      pending.delete(decoded.response.transactionId.toString('hex'));
      round.rtts[index] = secondsSince(round.sentAt[index] as bigint, at);
      round.received += 1;
      if (decoded.response.mapped) round.mappedAddress = decoded.response.mapped.address;
      if (round.received === plan.count) end();
    };
    const onError = (err: Error): void => {
      round.unreachable = `${errorCode(err) || 'error'}: ${errorMessage(err)}`;
      end();
    };
    // The probe deadline keeps what was measured; only an outside abort discards the round.
    const onAbort = (): void => (isTimeoutAbort(signal) ? end() : end(abortError(signal, 'udp')));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('message', onMessage).on('error', onError);
    const send = (index: number): void => {
      const transactionId = newTransactionId();
      pending.set(transactionId.toString('hex'), index);
      round.sent += 1;
      round.sentAt[index] = now();
      socket.send(encodeBindingRequest(transactionId), (err) => err && onError(err));
    };
    // Each send is scheduled from the same origin, so timer lateness does not accumulate.
    for (let i = 0; i < plan.count; i += 1) {
      timers.push(setTimeout(() => round.unreachable === undefined && send(i), i * plan.spacingSeconds * 1000));
    }
    timers.push(setTimeout(() => end(), plan.deadlineSeconds * 1000));
  });
}

export function summarize(round: Round): UdpDetails {
  const rtts = round.rtts.filter((r): r is number => r !== undefined);
  const udp: UdpDetails = { sent: round.sent, received: round.received, rtts };
  const jitter = interarrivalJitter(rtts);
  if (jitter !== undefined) udp.jitterSeconds = jitter;
  if (round.mappedAddress !== undefined) udp.mappedAddress = round.mappedAddress;
  return udp;
}

/** Why a round without a single answer failed: unreachable beats malformed beats silence. */
export function roundFailure(round: Round, where: string): ProbeError {
  if (round.unreachable) return new ProbeError('udp', 'udp_unreachable', `${where}: ${round.unreachable}`);
  if (round.malformed > 0) {
    return new ProbeError('udp', 'udp_malformed', `${where}: ${round.malformed} answer(s), none a valid Binding response (${round.lastMalformed ?? ''})`);
  }
  return new ProbeError('udp', 'udp_timeout', `${where}: no answer to ${round.sent} Binding Request(s)`);
}

export function planRound(options: ProbeOptions, remainingSeconds: number): RoundPlan {
  const { count, spacingSeconds } = options.stun ?? DEFAULT_STUN;
  const n = Math.min(MAX_COUNT, Math.max(1, Math.floor(count)));
  const spacing = Math.max(0, spacingSeconds);
  return { count: n, spacingSeconds: spacing, deadlineSeconds: Math.min(spacing * n + GRACE_SECONDS, remainingSeconds) };
}

export const stunProbe: Probe<StunTargetSpec> = (target, options, ctx) =>
  runPhases(options, ctx, async (run) => {
    const { host, port } = target.spec;
    const resolution = await run.step('dns', () => resolveHost(host, options, run.signal));
    if (resolution.details) run.result.dns = resolution.details;
    run.result.address = resolution.address;
    const socket = dgram.createSocket(isIPv6(resolution.address) ? 'udp6' : 'udp4');
    // ICMP errors arrive as 'error' events; one outside a round must not crash the process.
    socket.on('error', () => {});
    run.defer(() => new Promise<void>((resolve) => socket.close(() => resolve())));
    await run.step('udp', async () => {
      await connect(socket, resolution.address, port, run.signal);
      const round = await exchangeBindings(socket, planRound(options, run.remainingSeconds()), run.signal);
      run.result.udp = summarize(round);
      const where = `stun ${resolution.address}:${port}`;
      if (round.received === 0) throw roundFailure(round, where);
      return { seconds: median(run.result.udp.rtts) };
    });
  });
