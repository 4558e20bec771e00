import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBindingResponse, encodeBindingRequest, formatIpv6, newTransactionId } from '../../src/probes/stun-packet.js';
import { encodeBindingSuccess } from '../helpers/stun-responder.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** RFC 5769 section 2.2: IPv4 response with SOFTWARE, MESSAGE-INTEGRITY and FINGERPRINT around XOR-MAPPED-ADDRESS. */
const RFC5769_IPV4 = hex(`
  0101003c 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200008 0001a147 e112a643
  00080014 2b91f599 fd9e90c3 8c7489f9 2af9ba53 f06be7d7
  80280004 c07d4c96`);

/** RFC 5769 section 2.3: the same with an IPv6 XOR-MAPPED-ADDRESS. */
const RFC5769_IPV6 = hex(`
  01010048 2112a442 b7e7a701 bc34d686 fa87dfae
  8022000b 74657374 20766563 746f7220
  00200014 0002a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9
  00080014 a382954e 4be67bf1 1784c97c 8292c275 bfe3ed41
  80280004 c8fb0b4c`);

const TID = hex('b7e7a701bc34d686fa87dfae');

describe('STUN Binding Request encoding', () => {
  it('20-byte header: type 0x0001, length 0, magic cookie, the transaction id', () => {
    const tid = newTransactionId();
    const msg = encodeBindingRequest(tid);
    expect(msg.length).toBe(20);
    expect(msg.subarray(0, 8).toString('hex')).toBe('000100002112a442');
    expect(msg.subarray(8).equals(tid)).toBe(true);
    expect(newTransactionId().equals(tid)).toBe(false);
    expect(() => encodeBindingRequest(Buffer.alloc(11))).toThrow(/12 bytes/);
  });
});

describe('STUN Binding response decoding', () => {
  it('RFC 5769 IPv4 vector: 192.0.2.1:32853, unknown attributes skipped', () => {
    expect(decodeBindingResponse(RFC5769_IPV4)).toEqual({
      ok: true,
      response: { transactionId: TID, mapped: { family: 'IPv4', address: '192.0.2.1', port: 32853 } },
    });
  });

  it('RFC 5769 IPv6 vector: XOR with cookie and transaction id', () => {
    const decoded = decodeBindingResponse(RFC5769_IPV6);
    expect(decoded.ok && decoded.response.mapped).toEqual({ family: 'IPv6', address: '2001:db8:1234:5678:11:2233:4455:6677', port: 32853 });
  });

  it('plain MAPPED-ADDRESS when there is no XOR-MAPPED-ADDRESS; XOR wins when both are there', () => {
    const mapped = hex('0101000c 2112a442 b7e7a701bc34d686fa87dfae 00010008 0001 1f90 0a000001'.replace(/ /g, ''));
    expect(decodeBindingResponse(mapped)).toMatchObject({ ok: true, response: { mapped: { family: 'IPv4', address: '10.0.0.1', port: 8080 } } });
    // coturn sends both (XOR first); a NAT may rewrite the plain one.
    const both = Buffer.concat([RFC5769_IPV4.subarray(0, 20), hex('00010008 0001 1f90 0a000001 00200008 0001a147 e112a643'.replace(/ /g, ''))]);
    both.writeUInt16BE(both.length - 20, 2);
    expect(decodeBindingResponse(both)).toMatchObject({ ok: true, response: { mapped: { address: '192.0.2.1' } } });
  });

  it('a success response without address is still an answer', () => {
    expect(decodeBindingResponse(hex('010100002112a442b7e7a701bc34d686fa87dfae'))).toEqual({ ok: true, response: { transactionId: TID } });
  });

  it('round trip with the test responder encoding, IPv4 and IPv6', () => {
    const tid = newTransactionId();
    for (const mapped of [
      { family: 'IPv4', address: '203.0.113.77', port: 61000 },
      { family: 'IPv6', address: '2603:1063::1', port: 3478 },
      { family: 'IPv6', address: '::1', port: 1 },
    ] as const) {
      expect(decodeBindingResponse(encodeBindingSuccess(tid, mapped))).toEqual({ ok: true, response: { transactionId: tid, mapped } });
    }
  });

  it.each([
    ['too short', hex('0101000c2112a442'), /shorter than a STUN header/],
    ['top bits set (e.g. RTP/DTLS)', Buffer.concat([hex('c101'), RFC5769_IPV4.subarray(2)]), /top bits/],
    ['wrong cookie', Buffer.concat([RFC5769_IPV4.subarray(0, 4), hex('21120000'), RFC5769_IPV4.subarray(8)]), /magic cookie/],
    ['length field larger than the datagram', RFC5769_IPV4.subarray(0, 60), /length field 60/],
    ['length not a multiple of 4', hex('010100032112a442b7e7a701bc34d686fa87dfae000000'), /length field 3/],
    ['a request, not a response', encodeBindingRequest(TID), /0x0001 is not a Binding success/],
    ['an error response', hex('011100002112a442b7e7a701bc34d686fa87dfae'), /0x0111/],
    ['attribute past the end', hex('010100082112a442b7e7a701bc34d686fa87dfae00200010 0001a147'.replace(/ /g, '')), /past the end/],
    ['unknown family', hex('0101000c2112a442b7e7a701bc34d686fa87dfae002000080003a147e112a643'), /family 3/],
    ['IPv6 family with an IPv4-sized value', hex('0101000c2112a442b7e7a701bc34d686fa87dfae002000080002a147e112a643'), /does not match its family/],
  ])('malformed: %s', (_name, msg, error) => {
    const decoded = decodeBindingResponse(msg);
    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.error).toMatch(error);
  });

  it('never throws on random bytes, nor on random damage to a valid response', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const decoded = decodeBindingResponse(Buffer.from(bytes));
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(RFC5769_IPV6.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(RFC5769_IPV6.length), (edits, cut) => {
        const msg = Buffer.from(RFC5769_IPV6);
        for (const [at, value] of edits) msg[at] = value;
        const decoded = decodeBindingResponse(msg.subarray(0, cut));
        expect(typeof decoded.ok).toBe('boolean');
        if (decoded.ok) expect(decoded.response.transactionId.length).toBe(12);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IPv6 text (RFC 5952)', () => {
  it.each([
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000000', '2001:db8:0:1::'],
    ['20010db8000100000001000000000001', '2001:db8:1:0:1::1'],
    ['20010000000000010000000000000001', '2001:0:0:1::1'],
    // Equal runs: the first is compressed (RFC 5952 section 4.2.3).
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'],
  ])('%s -> %s', (bytes, text) => {
    expect(formatIpv6(hex(bytes))).toBe(text);
  });
});
