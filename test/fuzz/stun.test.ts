/**
 * STUN Binding response decoding under structured-but-wrong messages (random bytes and
 * byte edits are in test/probes/stun-packet.test.ts): attribute lengths that run past the
 * end or lack padding, unknown families, address values of the wrong size, a length field
 * that disagrees with the datagram, other message classes, thousands of attributes. The
 * decoder never throws, and what it accepts is a real address and port.
 */
import { isIP } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ATTR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS, BINDING_SUCCESS, decodeBindingResponse, HEADER_BYTES, MAGIC_COOKIE } from '../../src/probes/stun-packet.js';

const RUNS = { numRuns: 2000, interruptAfterTimeLimit: 10_000 };

interface Attr {
  type: number;
  /** Declared length; may disagree with the value's size. */
  length: number;
  value: Uint8Array;
  pad: boolean;
}

const addressValue = fc.oneof(
  fc.tuple(fc.constantFrom(0x01, 0x02, 0x00, 0x03, 0xff), fc.nat(65535), fc.uint8Array({ minLength: 0, maxLength: 20 })).map(([family, port, addr]) => {
    const v = Buffer.alloc(4 + addr.length);
    v[1] = family;
    v.writeUInt16BE(port, 2);
    Buffer.from(addr).copy(v, 4);
    return new Uint8Array(v);
  }),
  fc.uint8Array({ maxLength: 24 }),
);

const attr: fc.Arbitrary<Attr> = fc
  .tuple(fc.oneof(fc.constantFrom(ATTR_MAPPED_ADDRESS, ATTR_XOR_MAPPED_ADDRESS, 0x8022, 0x0009, 0x8028), fc.nat(0xffff)), addressValue, fc.boolean(), fc.oneof(fc.constant(undefined), fc.nat(0xffff)))
  .map(([type, value, pad, lie]) => ({ type, value, pad, length: lie ?? value.length }));

function message(type: number, attrs: Attr[], lengthField?: number, cookie = MAGIC_COOKIE): Buffer {
  const body = Buffer.concat(
    attrs.map((a) => {
      const head = Buffer.alloc(4);
      head.writeUInt16BE(a.type, 0);
      head.writeUInt16BE(a.length, 2);
      const padding = a.pad ? (4 - (a.value.length % 4)) % 4 : 0;
      return Buffer.concat([head, Buffer.from(a.value), Buffer.alloc(padding)]);
    }),
  );
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(type, 0);
  header.writeUInt16BE(lengthField ?? body.length, 2);
  header.writeUInt32BE(cookie, 4);
  header.fill(0x5a, 8);
  return Buffer.concat([header, body]);
}

function decodesSafely(msg: Buffer): void {
  const decoded = decodeBindingResponse(msg);
  if (!decoded.ok) return void expect(decoded.error.length).toBeGreaterThan(0);
  expect(decoded.response.transactionId).toHaveLength(12);
  const mapped = decoded.response.mapped;
  if (!mapped) return;
  expect(isIP(mapped.address), mapped.address).toBe(mapped.family === 'IPv4' ? 4 : 6);
  expect(mapped.port).toBeGreaterThanOrEqual(0);
  expect(mapped.port).toBeLessThanOrEqual(65535);
}

describe('STUN responses that are structured but wrong', () => {
  it('attributes with lying lengths, missing padding, odd families and sizes', () => {
    fc.assert(fc.property(fc.array(attr, { maxLength: 8 }), (attrs) => decodesSafely(message(BINDING_SUCCESS, attrs))), RUNS);
  });

  it('a length field that disagrees with the datagram, other classes, a wrong cookie', () => {
    const type = fc.oneof(fc.constantFrom(BINDING_SUCCESS, 0x0111, 0x0001, 0x0011, 0xc101), fc.nat(0xffff));
    const cookie = fc.oneof(fc.constant(MAGIC_COOKIE), fc.nat(0xffffffff).map((n) => n >>> 0));
    fc.assert(fc.property(type, fc.array(attr, { maxLength: 4 }), fc.oneof(fc.constant(undefined), fc.nat(0xffff)), cookie, (t, attrs, len, c) => decodesSafely(message(t, attrs, len, c))), RUNS);
  });

  it('thousands of attributes, and messages cut at any point', () => {
    const many = Array.from({ length: 4000 }, (_, i): Attr => ({ type: 0x8000 + (i % 100), length: 0, value: new Uint8Array(0), pad: true }));
    const big = message(BINDING_SUCCESS, many);
    expect(decodeBindingResponse(big)).toMatchObject({ ok: true });
    fc.assert(fc.property(fc.array(attr, { minLength: 1, maxLength: 6 }), fc.nat(), (attrs, cut) => {
      const full = message(BINDING_SUCCESS, attrs);
      decodesSafely(full.subarray(0, cut % (full.length + 1)));
    }), RUNS);
  });

  it('a valid XOR-MAPPED-ADDRESS among junk decodes to the address it encodes', () => {
    fc.assert(
      fc.property(fc.ipV4(), fc.nat(65535), fc.array(attr.filter((a) => a.type !== ATTR_XOR_MAPPED_ADDRESS && a.type !== ATTR_MAPPED_ADDRESS && a.length === a.value.length && a.pad), { maxLength: 4 }), (ip, port, junk) => {
        const v = Buffer.alloc(8);
        v[1] = 0x01;
        v.writeUInt16BE(port ^ (MAGIC_COOKIE >>> 16), 2);
        v.writeUInt32BE((ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) ^ MAGIC_COOKIE) >>> 0, 4);
        const decoded = decodeBindingResponse(message(BINDING_SUCCESS, [...junk, { type: ATTR_XOR_MAPPED_ADDRESS, length: 8, value: new Uint8Array(v), pad: true }]));
        expect(decoded).toEqual({ ok: true, response: { transactionId: Buffer.alloc(12, 0x5a), mapped: { family: 'IPv4', address: ip, port } } });
      }),
      { numRuns: 500 },
    );
  });
});
