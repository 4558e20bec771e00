import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/probes/result.js';
import { stunProbe } from '../../src/probes/stun.js';
import type { ProbeOptions, StunTargetSpec } from '../../src/probes/target.js';
import { startCoturn, type Coturn } from '../helpers/coturn.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { context, openNetworkHandles, probeOptions, settleHandles } from '../helpers/servers.js';
import { startStunResponder, type StunResponder } from '../helpers/stun-responder.js';

const target = (host: string, port: number) => ({ name: 'teams-relay', spec: { kind: 'stun', host, port } as StunTargetSpec });
const options = (o: Partial<ProbeOptions> = {}): ProbeOptions => ({ ...probeOptions({ timeoutSeconds: 5 }), stun: { count: 10, spacingSeconds: 0.02 }, ...o });

/** A UDP port nobody listens on: the kernel answers ICMP port unreachable. */
async function closedUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('stun probe against coturn', () => {
  let coturn: Coturn | undefined;
  let dns: TestDnsServer;

  beforeAll(async () => {
    coturn = await startCoturn();
    dns = await startDnsServer({ 'relay.test': { a: ['127.0.0.1'] } });
  });

  afterAll(async () => {
    await Promise.all([coturn?.stop(), dns?.close()]);
  });

  it('every request answered, mapped address 127.0.0.1, no loss', async () => {
    const result = await stunProbe(target('127.0.0.1', coturn?.port ?? 0), options(), context());
    expect(result.failure).toBeUndefined();
    expect(result.success).toBe(true);
    expect(result.udp).toMatchObject({ sent: 10, received: 10, mappedAddress: '127.0.0.1' });
    expect(result.udp?.rtts).toHaveLength(10);
    for (const rtt of result.udp?.rtts ?? []) expect(rtt).toBeGreaterThan(0);
    expect(result.udp?.jitterSeconds).toBeGreaterThanOrEqual(0);
    expect(Object.keys(result.phases)).toEqual(['udp']);
    expect(result.phases.udp).toBeGreaterThan(0);
    // Ten requests 20 ms apart: the round cannot be shorter than the nine gaps.
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0.18);
  });

  it('resolves the relay name first (dns phase)', async () => {
    const result = await stunProbe(target('relay.test', coturn?.port ?? 0), options({ resolvers: [dns.resolver] }), context());
    expect(result.failure).toBeUndefined();
    expect(Object.keys(result.phases)).toEqual(['dns', 'udp']);
    expect(result.address).toBe('127.0.0.1');
    expect(result.dns?.addresses).toEqual(['127.0.0.1']);
    expect(result.udp?.received).toBe(10);
  });
});

describe('stun probe against a scripted responder', () => {
  let baseline: number;
  let responder: StunResponder;
  let responder6: StunResponder;

  beforeAll(async () => {
    baseline = openNetworkHandles();
    responder = await startStunResponder();
    responder6 = await startStunResponder({}, '::1');
  });

  afterAll(async () => {
    await Promise.all([responder?.close(), responder6?.close()]);
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  const probe = (o: Partial<ProbeOptions> = {}, port = responder.port): Promise<ProbeResult> => stunProbe(target('127.0.0.1', port), options(o), context());

  it('every other request dropped, answers delayed 60 ms: half received, every RTT >= the delay', async () => {
    responder.script({ drop: (i) => i % 2 === 1, delayMs: 60 });
    const result = await probe();
    expect(result.success).toBe(true);
    expect(responder.requests()).toBe(10);
    expect(result.udp).toMatchObject({ sent: 10, received: 5 });
    expect(result.udp?.rtts).toHaveLength(5);
    for (const rtt of result.udp?.rtts ?? []) expect(rtt).toBeGreaterThanOrEqual(0.06);
    expect(result.phases.udp).toBeGreaterThanOrEqual(0.06);
    // Lost answers are waited for until the deadline (spacing * count + 1 s).
    expect(result.durationSeconds).toBeGreaterThanOrEqual(1.2);
  });

  it('count and spacing come from options.stun', async () => {
    responder.script({});
    const result = await probe({ stun: { count: 3, spacingSeconds: 0.1 } });
    expect(result.udp).toMatchObject({ sent: 3, received: 3, mappedAddress: '127.0.0.1' });
    expect(responder.requests()).toBe(3);
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0.2);
  });

  it('IPv6: udp6 socket, XOR-MAPPED IPv6 address', async () => {
    const result = await stunProbe(target('::1', responder6.port), options({ stun: { count: 3, spacingSeconds: 0.01 } }), context());
    expect(result.failure).toBeUndefined();
    expect(result.udp).toMatchObject({ sent: 3, received: 3, mappedAddress: '::1' });
  });

  it('silence: udp_timeout with the requests counted', async () => {
    responder.script({ mode: 'silent' });
    const result = await probe();
    expect(result.success).toBe(false);
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'udp_timeout' });
    expect(result.udp).toMatchObject({ sent: 10, received: 0, rtts: [] });
    expect(result.phases.udp).toBeUndefined();
    expect(responder.requests()).toBe(10);
  });

  it('silence with a probe timeout shorter than the round: udp_timeout at the deadline', async () => {
    responder.script({ mode: 'silent' });
    const result = await probe({ timeoutSeconds: 0.3 });
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'udp_timeout' });
    // The deadline is a setTimeout, which may fire a fraction of a millisecond before the
    // monotonic clock says 300 ms (seen: 299.89 ms); it must not end the round much earlier.
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0.295);
    expect(result.udp?.sent).toBeGreaterThan(0);
  });

  it('closed port (ICMP port unreachable): udp_unreachable', async () => {
    const result = await probe({}, await closedUdpPort());
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'udp_unreachable' });
    expect(result.failure?.message).toMatch(/ECONNREFUSED/);
    expect(result.udp?.received).toBe(0);
  });

  it('garbage answers only: udp_malformed', async () => {
    responder.script({ mode: 'garbage' });
    const result = await probe();
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'udp_malformed' });
    expect(result.failure?.message).toMatch(/none a valid Binding response/);
  });

  it('answers to transaction ids never sent: udp_malformed', async () => {
    responder.script({ mode: 'wrong_transaction' });
    const result = await probe({ stun: { count: 2, spacingSeconds: 0.01 } });
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'udp_malformed' });
    expect(result.failure?.message).toMatch(/unknown transaction id/);
  });

  it('an outside abort: reason aborted', async () => {
    responder.script({ mode: 'silent' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const result = await stunProbe(target('127.0.0.1', responder.port), options(), context(controller.signal));
    expect(result.failure).toMatchObject({ phase: 'udp', reason: 'aborted' });
  });
});
