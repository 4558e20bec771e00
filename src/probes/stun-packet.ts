/**
 * STUN (RFC 5389) by hand, only what a Binding round trip needs: the 20-byte request and
 * the success response with (XOR-)MAPPED-ADDRESS. Decoding never throws: network bytes
 * are untrusted, anything unexpected is a `{ ok: false }` with the reason.
 */
import { randomBytes } from 'node:crypto';

export const MAGIC_COOKIE = 0x2112a442;
export const HEADER_BYTES = 20;
export const BINDING_REQUEST = 0x0001;
export const BINDING_SUCCESS = 0x0101;
export const ATTR_MAPPED_ADDRESS = 0x0001;
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020;

const COOKIE_BYTES = Buffer.from([0x21, 0x12, 0xa4, 0x42]);

export interface MappedAddress {
  family: 'IPv4' | 'IPv6';
  address: string;
  port: number;
}

export interface BindingResponse {
  /** 12 bytes. */
  transactionId: Buffer;
  /** XOR-MAPPED-ADDRESS when present (NATs rewrite plain addresses), else MAPPED-ADDRESS. */
  mapped?: MappedAddress;
}

export type Decoded = { ok: true; response: BindingResponse } | { ok: false; error: string };

export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** A Binding Request without attributes (what clients send to find their mapped address). */
export function encodeBindingRequest(transactionId: Buffer): Buffer {
  if (transactionId.length !== 12) throw new RangeError('STUN transaction id must be 12 bytes');
  const msg = Buffer.alloc(HEADER_BYTES);
  msg.writeUInt16BE(BINDING_REQUEST, 0);
  msg.writeUInt16BE(0, 2);
  msg.writeUInt32BE(MAGIC_COOKIE, 4);
  transactionId.copy(msg, 8);
  return msg;
}

/** RFC 5952 text: lower case, leading zeros dropped, the longest run (>= 2) of zero groups as `::`. */
export function formatIpv6(bytes: Buffer): string {
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** MAPPED-ADDRESS value layout: 0, family, port, address; XORed with cookie (+ transaction id) for XOR-MAPPED. */
function decodeAddress(value: Buffer, transactionId: Buffer, xor: boolean): MappedAddress | string {
  if (value.length < 4) return 'address attribute too short';
  const family = value[1];
  const length = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (length === 0) return `unknown address family ${family}`;
  if (value.length !== 4 + length) return 'address attribute length does not match its family';
  const port = value.readUInt16BE(2) ^ (xor ? MAGIC_COOKIE >>> 16 : 0);
  const mask = Buffer.concat([COOKIE_BYTES, transactionId]);
  const raw = Buffer.from(value.subarray(4, 4 + length).map((b, i) => (xor ? b ^ (mask[i] as number) : b)));
  if (length === 4) return { family: 'IPv4', address: [...raw].join('.'), port };
  return { family: 'IPv6', address: formatIpv6(raw), port };
}

interface Attribute {
  type: number;
  value: Buffer;
}

/** TLVs padded to 4 bytes; undefined when one runs past the end. */
function attributes(body: Buffer): Attribute[] | undefined {
  const out: Attribute[] = [];
  for (let at = 0; at < body.length; ) {
    if (at + 4 > body.length) return undefined;
    const type = body.readUInt16BE(at);
    const length = body.readUInt16BE(at + 2);
    const end = at + 4 + length;
    if (end > body.length) return undefined;
    out.push({ type, value: body.subarray(at + 4, end) });
    at = end + ((4 - (length % 4)) % 4);
  }
  return out;
}

/** Decodes a Binding success response; every other message (or damage) is `{ ok: false }`. */
export function decodeBindingResponse(msg: Buffer): Decoded {
  if (msg.length < HEADER_BYTES) return { ok: false, error: `${msg.length} bytes, shorter than a STUN header` };
  const type = msg.readUInt16BE(0);
  if ((type & 0xc000) !== 0) return { ok: false, error: 'not a STUN message (top bits set)' };
  if (msg.readUInt32BE(4) !== MAGIC_COOKIE) return { ok: false, error: 'wrong magic cookie' };
  const length = msg.readUInt16BE(2);
  if (length % 4 !== 0 || length !== msg.length - HEADER_BYTES) return { ok: false, error: `length field ${length} does not match ${msg.length - HEADER_BYTES} body bytes` };
  if (type !== BINDING_SUCCESS) return { ok: false, error: `message type 0x${type.toString(16).padStart(4, '0')} is not a Binding success response` };
  const transactionId = Buffer.from(msg.subarray(8, HEADER_BYTES));
  const attrs = attributes(msg.subarray(HEADER_BYTES));
  if (!attrs) return { ok: false, error: 'attribute runs past the end of the message' };
  const response: BindingResponse = { transactionId };
  const xorMapped = attrs.find((a) => a.type === ATTR_XOR_MAPPED_ADDRESS);
  const mapped = attrs.find((a) => a.type === ATTR_MAPPED_ADDRESS);
  const chosen = xorMapped ?? mapped;
  if (chosen) {
    const address = decodeAddress(chosen.value, transactionId, chosen === xorMapped);
    if (typeof address === 'string') return { ok: false, error: address };
    response.mapped = address;
  }
  return { ok: true, response };
}
