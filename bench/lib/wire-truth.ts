/**
 * What each phase of one probe really took on the wire, from the link emulator's packet log:
 * the time from the client's first packet of the phase entering the link (`got`: the kernel's
 * hand-over to the TUN device, or the emulator's read without kernel timestamps) to the
 * server's packet that ends the phase leaving it (`sent`: just before the emulator's write). It sits where a capture on the near host would,
 * so this is the truth including the servers' own time and the emulator's (small) lateness;
 * "reported minus wire truth" is the exporter's own measurement error.
 */
import type { Packet } from './link.js';

export interface WireTruth {
  dns?: number;
  connect?: number;
  tls?: number;
  first_byte?: number;
}

/** Where each phase sits on the wire, CLOCK_MONOTONIC nanoseconds: `from` the first packet's `got`, `to` the last one's `sent`. */
export type WireSpans = { [P in keyof WireTruth]?: { from: number; to: number } };

export interface ProbeShape {
  /** Server port of the HTTPS connection. */
  port: number;
  /** Round trips of the TLS handshake: 1 for TLS 1.3, 2 for TLS 1.2. */
  tlsRoundTrips: number;
  /** Smallest payload of the HTTP response's first segment (see peers/respond.ts). */
  minResponseBytes: number;
}

const SYN = 0x02;
const ACK = 0x10;
const span = (from: number, to: number) => ({ from, to });

function dnsSpan(packets: readonly Packet[]): WireSpans['dns'] {
  const query = packets.find((p) => p.dir === 'ab' && p.proto === 17 && p.dport === 53);
  if (!query) return undefined;
  const reply = packets.find((p) => p.dir === 'ba' && p.proto === 17 && p.sport === 53 && p.dport === query.sport && p.dnsId === query.dnsId);
  return reply ? span(query.got, reply.sent) : undefined;
}

/** First query to port 53 and the answer with the same id to the same client port. */
export function dnsTruth(packets: readonly Packet[]): number | undefined {
  const s = dnsSpan(packets);
  return s ? (s.to - s.from) / 1e9 : undefined;
}

/** Consecutive payload packets of one direction, in the order the emulator read them. */
function flights(packets: readonly Packet[]): Packet[][] {
  const out: Packet[][] = [];
  for (const p of [...packets].filter((x) => x.payload > 0).sort((a, b) => a.got - b.got)) {
    const last = out[out.length - 1];
    if (last && last[0]?.dir === p.dir) last.push(p);
    else out.push([p]);
  }
  return out;
}

function tcpSpans(packets: readonly Packet[], shape: ProbeShape): Omit<WireSpans, 'dns'> {
  const syn = packets.find((p) => p.dir === 'ab' && p.proto === 6 && p.dport === shape.port && (p.flags & (SYN | ACK)) === SYN);
  if (!syn) return {};
  const flow = packets.filter((p) => p.proto === 6 && (p.dir === 'ab' ? p.sport === syn.sport : p.dport === syn.sport));
  const synAck = flow.find((p) => p.dir === 'ba' && (p.flags & (SYN | ACK)) === (SYN | ACK));
  const truth: Omit<WireSpans, 'dns'> = {};
  if (!synAck) return truth;
  truth.connect = span(syn.got, synAck.sent);

  const all = flights(flow);
  const clientHello = all[0]?.[0];
  const serverFlights = all.filter((f) => f[0]?.dir === 'ba');
  const lastFlight = serverFlights[shape.tlsRoundTrips - 1];
  if (!clientHello || clientHello.dir !== 'ab' || !lastFlight) return truth;
  const handshakeEnd = Math.max(...lastFlight.map((p) => p.sent));
  truth.tls = span(clientHello.got, handshakeEnd);

  // Session tickets may follow the handshake; the response is the first big segment after it.
  const lastHandshakeRead = Math.max(...lastFlight.map((p) => p.got));
  const payload = flow.filter((p) => p.payload > 0);
  const response = payload.find((p) => p.dir === 'ba' && p.got > lastHandshakeRead && p.payload >= shape.minResponseBytes);
  if (!response) return truth;
  const request = payload.filter((p) => p.dir === 'ab' && p.got < response.got).at(-1);
  if (request && request !== clientHello) truth.first_byte = span(request.got, response.sent);
  return truth;
}

export function wireSpans(packets: readonly Packet[], shape: ProbeShape): WireSpans {
  const dns = dnsSpan(packets);
  return { ...(dns === undefined ? {} : { dns }), ...tcpSpans(packets, shape) };
}

export function wireTruth(packets: readonly Packet[], shape: ProbeShape): WireTruth {
  const truth: WireTruth = {};
  for (const [phase, s] of Object.entries(wireSpans(packets, shape)) as [keyof WireTruth, { from: number; to: number }][]) truth[phase] = (s.to - s.from) / 1e9;
  return truth;
}
