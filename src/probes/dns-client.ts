/**
 * DNS wire client: one question to one resolver over UDP, asked again over TCP when the
 * answer comes back truncated (TC bit, RFC 7766). Everything the network sends is untrusted:
 * every decode is guarded, every socket is closed on every path, and no timer outlives a query.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { now } from '../util/clock.js';
import { ProbeError } from './result.js';
import type { Resolver } from './target.js';

export type QueryType = 'A' | 'AAAA';

export interface Question {
  name: string;
  type: QueryType;
}

export interface QueryParams {
  resolver: Resolver;
  question: Question;
  /** process.hrtime.bigint() instant after which the query gives up. */
  deadline: bigint;
  signal: AbortSignal;
}

export interface Reply {
  packet: DecodedPacket;
  transport: 'udp' | 'tcp';
  /** hrtime of the first send and of the answer's arrival (UDP + TCP when truncated). */
  sentAt: bigint;
  arrivedAt: bigint;
}

export type Classified =
  | { kind: 'ok'; packet: DecodedPacket }
  | { kind: 'wrong_id' }
  | { kind: 'malformed'; why: string };

/** EDNS0 buffer size advised by DNS Flag Day 2020: avoids IP fragmentation. */
const EDNS_UDP_SIZE = 1232;

export function sameName(a: string, b: string): boolean {
  return a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
}

export function resolverLabel(r: Resolver): string {
  return net.isIP(r.host) === 6 ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}

export function encodeQuery(id: number, q: Question): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: q.name, type: q.type, class: 'IN' }],
    additionals: [
      { type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP_SIZE, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] },
    ],
  });
}

/** Decodes bytes from the network and checks they answer our query. Never throws. */
export function classifyReply(buf: Buffer, id: number, q: Question): Classified {
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(buf);
  } catch (err) {
    return { kind: 'malformed', why: `cannot decode: ${err instanceof Error ? err.message : String(err)}` };
  }
  if (packet.id !== id) return { kind: 'wrong_id' };
  if (!packet.flag_qr) return { kind: 'malformed', why: 'not a response' };
  const asked = packet.questions?.[0];
  // Some servers drop the question from error answers (FORMERR, REFUSED); accept that only there.
  if (!asked && ((packet.flags ?? 0) & 0xf) !== 0) return { kind: 'ok', packet };
  if (!asked || typeof asked.name !== 'string' || !sameName(asked.name, q.name) || asked.type !== q.type) {
    return { kind: 'malformed', why: 'answer is not for our question' };
  }
  return { kind: 'ok', packet };
}

interface Settle<T> {
  ok(value: T): void;
  fail(err: ProbeError): void;
}

interface Wire {
  close(): void;
  /** The error to report when the deadline passes. */
  onTimeout(): ProbeError;
}

function dnsError(reason: 'dns_timeout' | 'dns_malformed' | 'dns_network_error' | 'aborted', p: QueryParams, what: string, cause?: unknown): ProbeError {
  const msg = `${p.question.type} ${p.question.name} @${resolverLabel(p.resolver)}: ${what}`;
  return new ProbeError('dns', reason, msg, { cause });
}

/** Runs one exchange; owns its deadline timer and abort listener and closes the wire once settled. */
function exchange<T>(p: QueryParams, start: (s: Settle<T>) => Wire): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let wire: Wire | undefined;
    const finish = (): void => {
      settled = true;
      clearTimeout(timer);
      p.signal.removeEventListener('abort', onAbort);
      wire?.close();
    };
    const ok = (v: T): void => {
      if (settled) return;
      finish();
      resolve(v);
    };
    const fail = (e: ProbeError): void => {
      if (settled) return;
      finish();
      reject(e);
    };
    const onAbort = (): void => fail(dnsError('aborted', p, 'aborted'));
    const ms = Math.max(0, Number(p.deadline - now()) / 1e6);
    const timer = setTimeout(() => fail(wire?.onTimeout() ?? dnsError('dns_timeout', p, 'timed out')), ms);
    if (p.signal.aborted) return onAbort();
    p.signal.addEventListener('abort', onAbort, { once: true });
    try {
      wire = start({ ok, fail });
    } catch (err) {
      fail(dnsError('dns_network_error', p, String(err), err));
    }
    if (settled) wire?.close(); // start() failed synchronously, before the wire existed
  });
}

function queryUdp(p: QueryParams): Promise<Reply> {
  const id = randomInt(0, 0x10000);
  return exchange<Reply>(p, ({ ok, fail }) => {
    const socket = dgram.createSocket(net.isIP(p.resolver.host) === 6 ? 'udp6' : 'udp4');
    let sentAt = 0n;
    let garbage: string | undefined;
    const netFail = (err: Error): void => fail(dnsError('dns_network_error', p, err.message, err));
    socket.on('error', netFail);
    socket.on('message', (buf) => {
      const arrivedAt = now();
      const c = classifyReply(buf, id, p.question);
      if (c.kind === 'ok') ok({ packet: c.packet, transport: 'udp', sentAt, arrivedAt });
      // Undecodable: keep waiting (a valid answer may follow) but remember it for the timeout.
      else if (c.kind === 'malformed') garbage = c.why;
      // Wrong ID: ignored like a stub resolver does (late answer or spoofing attempt).
    });
    // A connected socket only accepts datagrams from the resolver and reports ICMP errors.
    socket.connect(p.resolver.port, p.resolver.host, (err?: Error) => {
      if (err) return netFail(err);
      try {
        // Encoded before the clock starts: the phase is the exchange, not our CPU.
        const query = encodeQuery(id, p.question);
        sentAt = now();
        socket.send(query, (e) => e && netFail(e));
      } catch (e) {
        netFail(e instanceof Error ? e : new Error(String(e))); // closed meanwhile (abort)
      }
    });
    return {
      close: () => {
        try {
          socket.close();
        } catch {
          // already closed
        }
      },
      onTimeout: () => (garbage ? dnsError('dns_malformed', p, garbage) : dnsError('dns_timeout', p, 'no answer over udp')),
    };
  });
}

/** DNS over TCP prefixes each message with its length (RFC 1035 4.2.2). */
function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

function queryTcp(p: QueryParams): Promise<Reply> {
  const id = randomInt(0, 0x10000);
  return exchange<Reply>(p, ({ ok, fail }) => {
    const sentAt = now();
    const socket = net.connect({ host: p.resolver.host, port: p.resolver.port });
    let buf = Buffer.alloc(0);
    socket.on('connect', () => socket.write(frame(encodeQuery(id, p.question))));
    socket.on('data', (chunk: Buffer) => {
      const arrivedAt = now();
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const c = classifyReply(buf.subarray(2, 2 + buf.readUInt16BE(0)), id, p.question);
      if (c.kind === 'ok') return ok({ packet: c.packet, transport: 'tcp', sentAt, arrivedAt });
      // Over TCP nothing else can arrive on this connection: a bad message is final.
      fail(dnsError('dns_malformed', p, c.kind === 'wrong_id' ? 'wrong id over tcp' : c.why));
    });
    socket.on('error', (err) => fail(dnsError('dns_network_error', p, err.message, err)));
    socket.on('close', () => fail(dnsError('dns_network_error', p, 'tcp connection closed before the answer')));
    return { close: () => socket.destroy(), onTimeout: () => dnsError('dns_timeout', p, 'no answer over tcp') };
  });
}

/** Asks one question of one resolver; a truncated UDP answer is asked again over TCP. */
export async function query(p: QueryParams): Promise<Reply> {
  const udp = await queryUdp(p);
  if (!udp.packet.flag_tc) return udp;
  const tcp = await queryTcp(p);
  // The time lost on the truncated UDP answer is part of this lookup's cost.
  return { ...tcp, sentAt: udp.sentAt };
}
