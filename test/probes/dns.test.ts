import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyReply, encodeQuery } from '../../src/probes/dns-client.js';
import { dnsProbe, followChain, resolveHost } from '../../src/probes/dns.js';
import type { ProbeError } from '../../src/probes/result.js';
import { isProbeError } from '../../src/probes/result.js';
import type { ProbeOptions, Resolver } from '../../src/probes/target.js';
import { startDnsServer } from '../helpers/dns-server.js';
import type { NameScript, TestDnsServer } from '../helpers/dns-server.js';

const chain = (n: number, prefix: string): Record<string, NameScript> =>
  Object.fromEntries(
    Array.from({ length: n + 1 }, (_, i) => [`${prefix}${i}.test`, i < n ? { cname: `${prefix}${i + 1}.test` } : { a: ['192.0.2.99'] }]),
  );

const ZONE: Record<string, NameScript> = {
  'a.test': { a: ['192.0.2.1', '192.0.2.2'], aaaa: ['2001:db8::1'], ttl: 120 },
  'v4only.test': { a: ['192.0.2.10'] },
  'v6only.test': { aaaa: ['2001:db8::10'] },
  'www.test': { cname: 'edge.test', ttl: 300 },
  'edge.test': { cname: 'lhr-efz.test', ttl: 300 },
  'lhr-efz.test': { a: ['192.0.2.20'], ttl: 60 },
  'alias.test': { cname: 'target.test', cnameOnly: true },
  'target.test': { a: ['192.0.2.30'] },
  'nx.test': { behaviour: 'nxdomain' },
  'servfail.test': { behaviour: 'servfail' },
  'refused.test': { behaviour: 'refused' },
  'notimp.test': { behaviour: 'notimp' },
  'trunc.test': { a: ['192.0.2.40'], behaviour: 'truncate' },
  'huge.test': { a: Array.from({ length: 2000 }, (_, i) => `10.${i >> 8}.${i & 0xff}.1`) },
  'garbage.test': { a: ['192.0.2.50'], behaviour: 'garbage' },
  'garbage-then.test': { a: ['192.0.2.51'], behaviour: 'garbage_then_answer' },
  'silent.test': { behaviour: 'silent' },
  'wrongid.test': { a: ['192.0.2.60'], behaviour: 'wrong_id' },
  'wrongid-then.test': { a: ['192.0.2.61'], behaviour: 'wrong_id_then_answer' },
  'wrongq.test': { a: ['192.0.2.62'], behaviour: 'wrong_question' },
  'loop1.test': { cname: 'loop2.test' },
  'loop2.test': { cname: 'loop1.test' },
  'x1.test': { cname: 'x2.test', cnameOnly: true },
  'x2.test': { cname: 'x1.test', cnameOnly: true },
  ...chain(8, 'eight'),
  ...chain(9, 'nine'),
};

let good: TestDnsServer;
let silent: TestDnsServer;
let nxAll: TestDnsServer;
let closedPort: Resolver;

beforeAll(async () => {
  good = await startDnsServer(ZONE);
  silent = await startDnsServer({}, { behaviour: 'silent' });
  nxAll = await startDnsServer({});
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  closedPort = { host: '127.0.0.1', port: probe.address().port };
  await new Promise<void>((r) => probe.close(r));
});

afterAll(async () => {
  await Promise.all([good?.close(), silent?.close(), nxAll?.close()]);
});

function opts(over: Partial<ProbeOptions> = {}): ProbeOptions {
  return {
    timeoutSeconds: 2,
    ipVersion: 'ipv4',
    resolvers: [good.resolver],
    tls: { insecureSkipVerify: false },
    http: { maxBodyBytes: 1 << 20, maxHeaderBytes: 1 << 16 },
    ...over,
  };
}

const signal = (): AbortSignal => new AbortController().signal;

async function failure(p: Promise<unknown>): Promise<ProbeError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isProbeError(err)) throw new Error(`expected a ProbeError, got ${String(err)}`);
  expect(err.phase).toBe('dns');
  return err;
}

const queriesFor = (name: string): string[] => good.queries.filter((q) => q.name === name).map((q) => `${q.type}/${q.transport}`);

describe('resolveHost answers', () => {
  it('returns IP literals without a query', async () => {
    expect(await resolveHost('192.0.2.5', opts(), signal())).toEqual({ address: '192.0.2.5' });
    expect(await resolveHost('[2001:db8::5]', opts(), signal())).toEqual({ address: '2001:db8::5' });
  });

  it('resolves A records with timing and details', async () => {
    const r = await resolveHost('a.test', opts(), signal());
    expect(r.address).toBe('192.0.2.1');
    expect(r.details).toEqual({
      resolver: `127.0.0.1:${good.resolver.port}`,
      rcode: 'NOERROR',
      transport: 'udp',
      cnames: [],
      addresses: ['192.0.2.1', '192.0.2.2'],
      ttlSeconds: 120,
    });
    expect(r.seconds).toBeGreaterThan(0);
    expect(r.seconds).toBeLessThan(1);
  });

  it('resolves AAAA records', async () => {
    const r = await resolveHost('a.test', opts({ ipVersion: 'ipv6' }), signal());
    expect(r.address).toBe('2001:db8::1');
    expect(r.details?.addresses).toEqual(['2001:db8::1']);
  });

  it('records the CNAME chain in order with the smallest TTL', async () => {
    const r = await resolveHost('www.test', opts(), signal());
    expect(r.details?.cnames).toEqual(['edge.test', 'lhr-efz.test']);
    expect(r.address).toBe('192.0.2.20');
    expect(r.details?.ttlSeconds).toBe(60);
  });

  it('re-queries the last alias when the answer holds only a CNAME', async () => {
    const r = await resolveHost('alias.test', opts(), signal());
    expect(r.address).toBe('192.0.2.30');
    expect(r.details?.cnames).toEqual(['target.test']);
    expect(queriesFor('target.test')).toContain('A/udp');
  });

  it('follows 8 hops', async () => {
    const r = await resolveHost('eight0.test', opts(), signal());
    expect(r.details?.cnames).toHaveLength(8);
    expect(r.address).toBe('192.0.2.99');
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const r = await resolveHost('trunc.test', opts(), signal());
    expect(r.details?.transport).toBe('tcp');
    expect(r.address).toBe('192.0.2.40');
    expect(queriesFor('trunc.test')).toEqual(['A/udp', 'A/tcp']);
  });

  it('takes a huge answer over TCP', async () => {
    const r = await resolveHost('huge.test', opts(), signal());
    expect(r.details?.transport).toBe('tcp');
    expect(r.details?.addresses).toHaveLength(2000);
  });

  it('ignores a wrong-ID answer and takes the right one after it', async () => {
    expect((await resolveHost('wrongid-then.test', opts(), signal())).address).toBe('192.0.2.61');
  });

  it('ignores garbage followed by a valid answer', async () => {
    expect((await resolveHost('garbage-then.test', opts(), signal())).address).toBe('192.0.2.51');
  });
});

describe('resolveHost failures', () => {
  const cases: [string, string, Partial<ProbeOptions>?][] = [
    ['nx.test', 'dns_nxdomain'],
    ['unknown.test', 'dns_nxdomain'],
    ['servfail.test', 'dns_servfail'],
    ['refused.test', 'dns_refused'],
    ['notimp.test', 'dns_rcode_other'],
    ['garbage.test', 'dns_malformed', { timeoutSeconds: 0.3 }],
    ['wrongq.test', 'dns_malformed', { timeoutSeconds: 0.3 }],
    ['silent.test', 'dns_timeout', { timeoutSeconds: 0.3 }],
    ['wrongid.test', 'dns_timeout', { timeoutSeconds: 0.3 }],
    ['loop1.test', 'dns_cname_loop'],
    ['x1.test', 'dns_cname_loop'],
    ['nine0.test', 'dns_cname_loop'],
    ['v6only.test', 'dns_no_address'],
  ];
  it.each(cases)('%s -> %s', async (host, reason, over) => {
    const err = await failure(resolveHost(host, opts(over), signal()));
    expect(err.reason).toBe(reason);
  });

  it('times out within the configured time', async () => {
    const t0 = performance.now();
    await failure(resolveHost('silent.test', opts({ timeoutSeconds: 0.3 }), signal()));
    expect(performance.now() - t0).toBeGreaterThanOrEqual(280);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('reports a resolver that refuses the datagram as a network error', async () => {
    expect((await failure(resolveHost('a.test', opts({ resolvers: [closedPort] }), signal()))).reason).toBe('dns_network_error');
  });

  it('aborts on the signal, and at once when already aborted', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = performance.now();
    expect((await failure(resolveHost('silent.test', opts({ timeoutSeconds: 5 }), ac.signal))).reason).toBe('aborted');
    expect(performance.now() - t0).toBeLessThan(1000);
    expect((await failure(resolveHost('a.test', opts(), AbortSignal.abort()))).reason).toBe('aborted');
  });
});

describe('resolvers and IP versions', () => {
  it('fails over from a silent resolver to a good one', async () => {
    const r = await resolveHost('a.test', opts({ timeoutSeconds: 1, resolvers: [silent.resolver, good.resolver] }), signal());
    expect(r.details?.resolver).toBe(`127.0.0.1:${good.resolver.port}`);
    expect(silent.queries.length).toBeGreaterThan(0);
  });

  it('fails over from an unreachable resolver', async () => {
    const r = await resolveHost('a.test', opts({ resolvers: [closedPort, good.resolver] }), signal());
    expect(r.address).toBe('192.0.2.1');
  });

  it('does not fail over on NXDOMAIN', async () => {
    const before = good.queries.length;
    const err = await failure(resolveHost('a.test', opts({ resolvers: [nxAll.resolver, good.resolver] }), signal()));
    expect(err.reason).toBe('dns_nxdomain');
    expect(good.queries.length).toBe(before);
  });

  it.each([
    ['ipv4', 'a.test', '192.0.2.1', ['A/udp']],
    ['ipv6', 'a.test', '2001:db8::1', ['AAAA/udp']],
    ['prefer_ipv4', 'a.test', '192.0.2.1', ['A/udp']],
    ['prefer_ipv4', 'v6only.test', '2001:db8::10', ['A/udp', 'AAAA/udp']],
    ['prefer_ipv6', 'a.test', '2001:db8::1', ['AAAA/udp']],
    ['prefer_ipv6', 'v4only.test', '192.0.2.10', ['AAAA/udp', 'A/udp']],
  ] as const)('%s %s -> %s', async (ipVersion, host, address, asked) => {
    const before = good.queries.length;
    const r = await resolveHost(host, opts({ ipVersion }), signal());
    expect(r.address).toBe(address);
    expect(good.queries.slice(before).map((q) => `${q.type}/${q.transport}`)).toEqual(asked);
  });

  it('ipv6 only has no address for a v4-only name', async () => {
    expect((await failure(resolveHost('v4only.test', opts({ ipVersion: 'ipv6' }), signal()))).reason).toBe('dns_no_address');
  });
});

describe('dnsProbe', () => {
  const target = (host: string) => ({ name: host, spec: { kind: 'dns' as const, host } });

  it('returns a successful result', async () => {
    const r = await dnsProbe(target('www.test'), opts(), { signal: signal() });
    expect(r.success).toBe(true);
    expect(r.address).toBe('192.0.2.20');
    expect(r.phases.dns).toBeGreaterThan(0);
    expect(r.durationSeconds).toBeGreaterThanOrEqual(r.phases.dns ?? 0);
    expect(r.dns?.cnames).toEqual(['edge.test', 'lhr-efz.test']);
    expect(r.startedAt).toBeLessThanOrEqual(Date.now());
  });

  it('returns a failure with phase and reason', async () => {
    const r = await dnsProbe(target('nx.test'), opts(), { signal: signal() });
    expect(r.success).toBe(false);
    expect(r.failure).toMatchObject({ phase: 'dns', reason: 'dns_nxdomain' });
    expect(r.phases).toEqual({});
  });
});

describe('hygiene', () => {
  it('leaves no sockets or timers behind on any path', async () => {
    const kinds = ['UDPWrap', 'TCPWrap', 'TCPSocketWrap', 'Timeout'];
    // The runner's own timers come and go; ours must all be gone, so compare at most.
    const count = () => kinds.map((k) => process.getActiveResourcesInfo().filter((t) => t === k).length);
    const atMost = (after: number[], before: number[]) => after.every((n, i) => n <= (before[i] ?? 0));
    await new Promise((r) => setTimeout(r, 20));
    const before = count();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 30);
    await Promise.allSettled([
      resolveHost('silent.test', opts({ timeoutSeconds: 0.2 }), signal()),
      resolveHost('garbage.test', opts({ timeoutSeconds: 0.2 }), signal()),
      resolveHost('trunc.test', opts(), signal()),
      resolveHost('nx.test', opts(), signal()),
      resolveHost('silent.test', opts({ timeoutSeconds: 5 }), ac.signal),
      resolveHost('a.test', opts({ resolvers: [closedPort] }), signal()),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(atMost(count(), before), `${count().join()} vs ${before.join()}`).toBe(true);
  });

  it('decoding random bytes never throws anything but a ProbeError', () => {
    const question = { name: 'www.test', type: 'A' as const };
    const valid = dnsPacket.encode({
      type: 'response',
      id: 7,
      questions: [{ name: 'www.test', type: 'A' }],
      answers: [
        { type: 'CNAME', name: 'www.test', ttl: 5, data: 'edge.test' },
        { type: 'A', name: 'edge.test', ttl: 5, data: '192.0.2.1' },
      ],
    });
    const header = Buffer.from([0, 7, 0x81, 0x80]);
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
      fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.concat([header, Buffer.from(b)])),
      fc.array(fc.tuple(fc.nat(valid.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }).map((edits) => {
        const b = Buffer.from(valid);
        for (const [at, v] of edits) b[at] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(inputs, (buf) => {
        const c = classifyReply(buf, 7, question);
        if (c.kind !== 'ok') return;
        try {
          followChain(c.packet, ['www.test'], 'A');
        } catch (err) {
          if (!isProbeError(err)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
    expect(classifyReply(encodeQuery(7, question), 7, question)).toMatchObject({ kind: 'malformed', why: 'not a response' });
  });
});
