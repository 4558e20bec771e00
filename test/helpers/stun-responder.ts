/**
 * A scriptable STUN responder on 127.0.0.1:0 (UDP): answers Binding Requests with
 * XOR-MAPPED-ADDRESS, and on purpose drops some, delays all, stays silent or sends
 * garbage. Counts the requests it saw.
 */
import dgram from 'node:dgram';
import { BINDING_SUCCESS, HEADER_BYTES, MAGIC_COOKIE } from '../../src/probes/stun-packet.js';
import type { MappedAddress } from '../../src/probes/stun-packet.js';

export interface ResponderScript {
  /** Drop request i (0-based, in arrival order) when this says so. */
  drop?: (index: number) => boolean;
  delayMs?: number;
  mode?: 'answer' | 'silent' | 'garbage' | 'wrong_transaction';
}

export interface StunResponder {
  port: number;
  /** Requests received since the last script(). */
  requests(): number;
  script(next: ResponderScript): void;
  close(): Promise<void>;
}

const COOKIE_BYTES = Buffer.from([0x21, 0x12, 0xa4, 0x42]);

/** 16 bytes of an IPv6 text address (with at most one `::`). */
export function ipv6Bytes(text: string): Buffer {
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const groups = [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/** A Binding success response carrying XOR-MAPPED-ADDRESS (encoded independently of the decoder). */
export function encodeBindingSuccess(transactionId: Buffer, mapped: MappedAddress): Buffer {
  const ipv4 = mapped.family === 'IPv4';
  const raw = ipv4 ? Buffer.from(mapped.address.split('.').map(Number)) : ipv6Bytes(mapped.address);
  const mask = Buffer.concat([COOKIE_BYTES, transactionId]);
  const value = Buffer.alloc(4 + raw.length);
  value[1] = ipv4 ? 0x01 : 0x02;
  value.writeUInt16BE(mapped.port ^ (MAGIC_COOKIE >>> 16), 2);
  raw.forEach((b, i) => (value[4 + i] = b ^ (mask[i] as number)));
  const msg = Buffer.alloc(HEADER_BYTES + 4 + value.length);
  msg.writeUInt16BE(BINDING_SUCCESS, 0);
  msg.writeUInt16BE(4 + value.length, 2);
  msg.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(msg, 8);
  msg.writeUInt16BE(0x0020, HEADER_BYTES);
  msg.writeUInt16BE(value.length, HEADER_BYTES + 2);
  value.copy(msg, HEADER_BYTES + 4);
  return msg;
}

export async function startStunResponder(initial: ResponderScript = {}, host: '127.0.0.1' | '::1' = '127.0.0.1'): Promise<StunResponder> {
  const socket = dgram.createSocket(host === '::1' ? 'udp6' : 'udp4');
  const timers = new Set<NodeJS.Timeout>();
  let script = initial;
  let requests = 0;
  /**
   * Runs `fn` no earlier than `at` (monotonic ns). setTimeout counts from the event loop's
   * cached time and can fire a little early, which would make "RTT >= delay" a lie.
   */
  const later = (at: bigint, fn: () => void): void => {
    const left = Number(at - process.hrtime.bigint()) / 1e6;
    if (left <= 0) return fn();
    const timer = setTimeout(() => {
      timers.delete(timer);
      later(at, fn);
    }, Math.ceil(left));
    timers.add(timer);
  };
  socket.on('error', () => {});
  socket.on('message', (msg, peer) => {
    const index = requests;
    requests += 1;
    if (msg.length < HEADER_BYTES || script.mode === 'silent' || script.drop?.(index)) return;
    const transactionId = Buffer.from(msg.subarray(8, HEADER_BYTES));
    if (script.mode === 'wrong_transaction') transactionId[0] = (transactionId[0] as number) ^ 0xff;
    const answer =
      script.mode === 'garbage'
        ? Buffer.from('\x01\x01\x00\x04not stun at all')
        : encodeBindingSuccess(transactionId, { family: peer.family === 'IPv6' ? 'IPv6' : 'IPv4', address: peer.address, port: peer.port });
    later(process.hrtime.bigint() + BigInt(Math.round((script.delayMs ?? 0) * 1e6)), () => socket.send(answer, peer.port, peer.address));
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  return {
    port: socket.address().port,
    requests: () => requests,
    script: (next) => {
      script = next;
      requests = 0;
    },
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
