/**
 * DNS answer decoding under structured-but-wrong packets (test/probes/dns.test.ts covers
 * random bytes and random byte edits): header counts that lie, compression pointers that
 * loop or point out of the packet, records cut anywhere, RDLENGTH that lies, CNAME chains
 * that loop or run long. classifyReply never throws; followChain throws only ProbeError;
 * and a real UDP exchange with such answers always settles by its deadline.
 */
import dgram from 'node:dgram';
import dnsPacket, { type Answer } from 'dns-packet';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followChain } from '../../src/probes/dns.js';
import { classifyReply, query } from '../../src/probes/dns-client.js';
import { isProbeError } from '../../src/probes/result.js';
import { now } from '../../src/util/clock.js';

const Q = { name: 'www.test', type: 'A' as const };
const ID = 0x1234;
const RUNS = { numRuns: 600, interruptAfterTimeLimit: 10_000 };

const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const name = fc.array(label, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
const record: fc.Arbitrary<Answer> = fc.oneof(
  fc.record({ type: fc.constant('A' as const), name: fc.oneof(fc.constant('www.test'), name), ttl: fc.nat(86400), data: fc.ipV4() }),
  fc.record({ type: fc.constant('AAAA' as const), name: fc.oneof(fc.constant('www.test'), name), ttl: fc.nat(86400), data: fc.ipV6() }),
  fc.record({ type: fc.constant('CNAME' as const), name: fc.oneof(fc.constant('www.test'), name), ttl: fc.nat(86400), data: fc.oneof(fc.constant('www.test'), name) }),
  fc.record({ type: fc.constant('TXT' as const), name, ttl: fc.nat(86400), data: fc.string({ maxLength: 40 }) }),
  fc.record({ type: fc.constant('MX' as const), name, ttl: fc.nat(86400), data: fc.record({ preference: fc.nat(65535), exchange: name }) }),
);

/** A well-formed answer to Q with random records (what the mutations start from). */
const validAnswer = fc.array(record, { maxLength: 12 }).map((answers) =>
  dnsPacket.encode({ type: 'response', id: ID, flags: dnsPacket.RECURSION_AVAILABLE, questions: [{ name: Q.name, type: 'A' }], answers }),
);

/** Header count fields (QD, AN, NS, AR at offsets 4..11) set to anything. */
const wrongCounts = fc.tuple(validAnswer, fc.array(fc.tuple(fc.constantFrom(4, 6, 8, 10), fc.oneof(fc.nat(20), fc.constant(0xffff))), { minLength: 1, maxLength: 4 })).map(([buf, edits]) => {
  const b = Buffer.from(buf);
  for (const [at, count] of edits) b.writeUInt16BE(count, at);
  return b;
});

/** The packet cut at any point (a record, a name, an RDATA half sent). */
const truncated = fc.tuple(validAnswer, fc.nat()).map(([buf, cut]) => buf.subarray(0, cut % (buf.length + 1)));

/**
 * Names made of compression pointers: to itself, in a ring of 2 or 3, forward, past the
 * end, or label runs that end in one; placed as the question name or an answer owner.
 */
const pointerName = fc.oneof(
  fc.constant('self'),
  fc.constant('ring2'),
  fc.constant('ring3'),
  fc.constant('forward'),
  fc.constant('past-end'),
  fc.constant('labels-then-loop'),
);
const pointerPacket = fc.tuple(pointerName, fc.boolean(), fc.nat(5)).map(([kind, inAnswer, answers]) => {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(ID, 0);
  header.writeUInt16BE(0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(inAnswer ? answers + 1 : 0, 6);
  const question = inAnswer ? Buffer.concat([encodeName('www.test'), Buffer.from([0, 1, 0, 1])]) : Buffer.alloc(0);
  const at = 12 + question.length; // where the hostile name starts
  const ptr = (to: number): Buffer => Buffer.from([0xc0 | (to >> 8), to & 0xff]);
  const hostile: Record<string, Buffer> = {
    self: ptr(at),
    ring2: Buffer.concat([ptr(at + 2), ptr(at)]),
    ring3: Buffer.concat([ptr(at + 2), ptr(at + 4), ptr(at)]),
    forward: ptr(at + 40),
    'past-end': ptr(0x3fff),
    'labels-then-loop': Buffer.concat([Buffer.from([3, 0x61, 0x62, 0x63]), ptr(at)]),
  };
  const nameBytes = hostile[kind] ?? ptr(at);
  const tail = inAnswer ? Buffer.from([0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 1]) : Buffer.from([0, 1, 0, 1]);
  return Buffer.concat([header, question, ...Array.from({ length: inAnswer ? answers + 1 : 1 }, () => Buffer.concat([nameBytes, tail]))]);
});

/** RDLENGTH of the first answer replaced (too short, too long, huge). */
const wrongRdLength = fc.tuple(fc.array(record, { minLength: 1, maxLength: 4 }), fc.oneof(fc.nat(3), fc.integer({ min: 5, max: 300 }), fc.constant(0xffff))).map(([answers, length]) => {
  const ok = dnsPacket.encode({ type: 'response', id: ID, questions: [{ name: Q.name, type: 'A' }], answers });
  const first = 12 + encodeName(Q.name).length + 4; // after the question
  const owner = encodeName(answers[0]?.name ?? '').length; // dns-packet does not compress names
  const b = Buffer.from(ok);
  b.writeUInt16BE(length, first + owner + 8);
  return b;
});

/** Uncompressed wire form: length-prefixed labels, then 0. */
function encodeName(n: string): Buffer {
  const labels = n.split('.').filter((l) => l.length > 0);
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

/** classifyReply then followChain: the only exception allowed is a ProbeError. */
function decodeAll(buf: Buffer): void {
  const c = classifyReply(buf, ID, Q);
  if (c.kind === 'malformed') expect(typeof c.why).toBe('string');
  if (c.kind !== 'ok') return;
  try {
    const step = followChain(c.packet, [Q.name], 'A');
    for (const a of step.addresses) expect(a).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  } catch (err) {
    if (!isProbeError(err)) throw err;
  }
}

describe('DNS answers that are structured but wrong', () => {
  it('header counts that lie', () => fc.assert(fc.property(wrongCounts, decodeAll), RUNS));
  it('packets cut anywhere', () => fc.assert(fc.property(truncated, decodeAll), RUNS));
  it('compression pointer loops, forward and out-of-packet pointers', () => {
    fc.assert(fc.property(pointerPacket, decodeAll), RUNS);
    const self = Buffer.from('123481800001000000000000c00c00010001', 'hex');
    expect(classifyReply(self, ID, Q)).toMatchObject({ kind: 'malformed' });
  });
  it('RDLENGTH that lies', () => fc.assert(fc.property(wrongRdLength, decodeAll), RUNS));

  it('CNAME chains that loop or run past the hop limit end in a ProbeError', () => {
    fc.assert(
      fc.property(fc.array(name, { minLength: 1, maxLength: 20 }), fc.boolean(), (names, loop) => {
        const chain = ['www.test', ...names];
        const answers: Answer[] = chain.slice(0, -1).map((n, i) => ({ type: 'CNAME', name: n, ttl: 60, data: chain[i + 1] ?? '' }));
        if (loop) answers.push({ type: 'CNAME', name: chain[chain.length - 1] ?? '', ttl: 60, data: chain[0] ?? '' });
        const packet = dnsPacket.decode(dnsPacket.encode({ type: 'response', id: ID, questions: [{ name: Q.name, type: 'A' }], answers }));
        try {
          followChain(packet, [Q.name], 'A');
        } catch (err) {
          if (!isProbeError(err)) throw err;
          expect(err.reason).toBe('dns_cname_loop');
        }
      }),
      RUNS,
    );
  });
});

describe('a real UDP exchange with hostile answers', () => {
  let server: dgram.Socket | undefined;
  let reply: (id: number) => Buffer = () => Buffer.alloc(0);

  beforeAll(async () => {
    server = dgram.createSocket('udp4');
    server.on('message', (msg, rinfo) => {
      const id = msg.length >= 2 ? msg.readUInt16BE(0) : 0;
      server?.send(reply(id), rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => server?.bind(0, '127.0.0.1', resolve));
  });

  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('query() settles with an answer or a ProbeError, never anything else, for every hostile answer', async () => {
    const hostile = fc.oneof(wrongCounts, truncated, pointerPacket, wrongRdLength);
    await fc.assert(
      fc.asyncProperty(hostile, async (buf) => {
        // The answer carries the query's own ID, so it is not dropped as someone else's.
        reply = (id) => {
          const b = Buffer.from(buf);
          if (b.length >= 2) b.writeUInt16BE(id, 0);
          return b;
        };
        const port = (server?.address() as { port: number }).port;
        const deadline = now() + 200_000_000n;
        try {
          const answer = await query({ resolver: { host: '127.0.0.1', port }, question: Q, deadline, signal: new AbortController().signal });
          expect(answer.packet).toBeTypeOf('object');
        } catch (err) {
          if (!isProbeError(err)) throw err;
        }
      }),
      { numRuns: 25, interruptAfterTimeLimit: 10_000 },
    );
  });
});
