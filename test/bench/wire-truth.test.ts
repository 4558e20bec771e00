import { describe, expect, it } from 'vitest';
import type { Packet } from '../../bench/lib/link.js';
import { dnsTruth, wireSpans, wireTruth } from '../../bench/lib/wire-truth.js';
import { labPath } from '../../bench/scenarios/accuracy-case.js';

const MS = 1e6;
const CLIENT = 40000;

/** A packet read at `got` ms and written `hold` ms later. */
function pkt(dir: Packet['dir'], got: number, hold: number, fields: Partial<Packet>): Packet {
  const base = dir === 'ab' ? { sport: CLIENT, dport: 443 } : { sport: 443, dport: CLIENT };
  return { dir, got: got * MS, read: got * MS, sent: (got + hold) * MS, due: (got + hold) * MS, proto: 6, flags: 0x18, payload: 0, dnsId: -1, ...base, ...fields };
}

const shape = { port: 443, tlsRoundTrips: 1, minResponseBytes: 1000 };

describe('wire truth from the link emulator log', () => {
  it('times DNS from the query read to the matching answer written', () => {
    const packets = [
      pkt('ab', 0, 5, { proto: 17, sport: 5353, dport: 53, dnsId: 7, payload: 40 }),
      pkt('ba', 5.2, 5, { proto: 17, sport: 53, dport: 5353, dnsId: 99, payload: 56 }), // another id: not ours
      pkt('ba', 5.3, 5, { proto: 17, sport: 53, dport: 5353, dnsId: 7, payload: 56 }),
    ];
    expect(dnsTruth(packets)).toBeCloseTo(0.0103, 9);
  });

  it('splits a TLS 1.3 connection into connect, tls and first_byte, skipping session tickets', () => {
    const packets = [
      pkt('ba', -3, 5, { sport: 443, dport: 39999, payload: 0, flags: 0x11 }), // the previous probe's FIN: other flow
      pkt('ab', 0, 10, { flags: 0x02 }), // SYN
      pkt('ba', 10.1, 10, { flags: 0x12 }), // SYN-ACK delivered at 20.1
      pkt('ab', 20.5, 10, { flags: 0x10 }), // ACK
      pkt('ab', 20.6, 10, { payload: 517 }), // ClientHello
      pkt('ba', 30.9, 10, { payload: 1300 }), // server flight, first segment
      pkt('ba', 31.0, 10, { payload: 200 }), // server flight, last segment: delivered at 41.0
      pkt('ab', 41.5, 10, { payload: 80 }), // client Finished
      pkt('ab', 41.7, 10, { payload: 150 }), // request
      pkt('ba', 51.8, 10, { payload: 500 }), // session tickets, not the response
      pkt('ba', 52.0, 10, { payload: 1150 }), // response: delivered at 62.0
    ];
    const truth = wireTruth(packets, shape);
    expect(truth.connect).toBeCloseTo(0.0201, 9);
    expect(truth.tls).toBeCloseTo(0.0204, 9); // 20.6 -> 41.0
    expect(truth.first_byte).toBeCloseTo(0.0203, 9); // 41.7 -> 62.0
    expect(truth.dns).toBeUndefined();
  });

  it('ends a TLS 1.2 handshake at the second server flight', () => {
    const packets = [
      pkt('ab', 0, 10, { flags: 0x02 }),
      pkt('ba', 10, 10, { flags: 0x12 }),
      pkt('ab', 20.2, 10, { payload: 300 }), // ClientHello
      pkt('ba', 30.4, 10, { payload: 1200 }), // ServerHello .. ServerHelloDone
      pkt('ab', 40.6, 10, { payload: 126 }), // ClientKeyExchange, CCS, Finished
      pkt('ba', 50.8, 10, { payload: 250 }), // ticket, CCS, Finished: delivered at 60.8
      pkt('ab', 61.0, 10, { payload: 150 }), // request
      pkt('ba', 71.1, 10, { payload: 1150 }), // response: delivered at 81.1
    ];
    const truth = wireTruth(packets, { ...shape, tlsRoundTrips: 2 });
    expect(truth.tls).toBeCloseTo(0.0406, 9);
    expect(truth.first_byte).toBeCloseTo(0.0201, 9);
  });

  it('leaves out what the log cannot show', () => {
    expect(wireTruth([pkt('ab', 0, 10, { flags: 0x02 })], shape)).toEqual({});
    expect(wireTruth([], shape)).toEqual({});
  });

  it("places the reference client's own stamps against the packets: the lab's send and receive paths", () => {
    const packets = [
      pkt('ab', 0, 10, { flags: 0x02 }), // SYN read at 0
      pkt('ba', 10.1, 10, { flags: 0x12 }), // SYN-ACK written at 20.1
      pkt('ab', 20.6, 10, { payload: 517 }), // ClientHello read at 20.6
      pkt('ba', 31.0, 10, { payload: 1300 }), // server flight written at 41.0
    ];
    const wire = wireSpans(packets, shape);
    expect(wire.connect).toEqual({ from: 0, to: 20.1 * MS });
    // connect() called 0.05 ms before the SYN was read, returned 0.07 ms after the SYN-ACK was written.
    const spans = { connect: [-0.05 * MS, 20.17 * MS], tls: [20.5 * MS, 41.3 * MS] } as const;
    const connect = labPath('connect', [{ wire, spans }]);
    expect(connect.send.median).toBeCloseTo(50, 6);
    expect(connect.receive.median).toBeCloseTo(70, 6);
    const tls = labPath('tls', [{ wire, spans }]);
    expect(tls.send.median).toBeCloseTo(100, 6);
    expect(tls.receive.median).toBeCloseTo(300, 6);
    // No stamps or no packets for a phase: nothing to report, not a zero.
    expect(labPath('dns', [{ wire, spans }]).send.median).toBeNaN();
    expect(labPath('first_byte', [{ wire, spans }]).receive.median).toBeNaN();
  });
});
