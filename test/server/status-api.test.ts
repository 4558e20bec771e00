/** GET /api/status from a running exporter with a scripted probe function (see helpers/stub-exporter.ts). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { statusSnapshot, type StatusSnapshot, type TargetStatus } from '../../src/server/status-api.js';
import { startFakeWebService, type FakeWebService } from '../helpers/fake-webservice.js';
import { startStubExporter, type StubExporter } from '../helpers/stub-exporter.js';

async function poll<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('GET /api/status', () => {
  let stub: StubExporter;
  let snapshot: StatusSnapshot;
  const find = (name: string, path = 'direct'): TargetStatus | undefined => snapshot.services.flatMap((s) => s.targets).find((t) => t.name === name && t.path === path);

  beforeAll(async () => {
    stub = await startStubExporter();
    snapshot = await poll('mail via corp probed', async () => {
      const s = (await (await fetch(`${stub.base}/api/status`)).json()) as StatusSnapshot;
      const targets = s.services.flatMap((x) => x.targets);
      return targets.filter((t) => t.state !== 'pending').length === 3 ? s : undefined;
    });
  });

  afterAll(async () => {
    await stub?.stop();
  });

  it('groups targets by service with counts, a running probe as pending', () => {
    expect(snapshot.services.map((s) => [s.service, s.up, s.down, s.pending])).toEqual([
      ['Common', 0, 0, 1],
      ['Exchange', 2, 0, 0],
      ['Teams', 1, 0, 0],
    ]);
    expect(find('slow')).toMatchObject({ state: 'pending', verdicts: [], history: [] });
    expect(find('slow')?.last).toBeUndefined();
    expect(snapshot.ready).toBe(false);
  });

  it('gives Teams UDP figures and their verdicts', () => {
    const relay = find('relay');
    expect(relay).toMatchObject({ kind: 'stun', endpoint: 'relay.invalid:3478', udp: { sent: 10, received: 8, rttMedianMs: 120, jitterMs: 35, mappedAddress: '203.0.113.7' } });
    expect(relay?.udp?.lossRatio).toBeCloseTo(0.2);
    expect(relay?.verdicts.map((v) => v.code)).toEqual(['udp_loss', 'udp_rtt', 'udp_jitter']);
  });

  it('flags the proxy path, TLS interception, the edge front door and slow DNS', () => {
    const direct = find('mail');
    const corp = find('mail', 'corp');
    expect(direct?.flags).toEqual({ tlsIntercepted: 'Corporate Inspection CA' });
    expect(corp?.flags).toEqual({ tlsIntercepted: 'Corporate Inspection CA', proxy: 'corp' });
    expect(corp?.last?.phasesMs).toEqual({ dns: 2, connect: 1, proxy_connect: 90, tls: 30, first_byte: 50 });
    expect(direct?.frontDoor).toEqual({ code: 'AMS', source: 'x-msedge-ref', city: 'Amsterdam', country: 'NL' });
    expect(direct?.verdicts.map((v) => v.code)).toEqual(['dns_slow', 'exchange_latency', 'tls_intercepted']);
    expect(direct?.history).toHaveLength(1);
    expect(direct?.history[0]).toMatchObject({ success: true, durationMs: 50 });
  });
});

describe('GET /api/status with endpoint discovery', () => {
  let fake: FakeWebService;
  let exporter: Exporter;
  let dir: string;

  beforeAll(async () => {
    fake = await startFakeWebService();
    dir = mkdtempSync(join(tmpdir(), 'o365-status-discovery-'));
    writeFileSync(join(dir, 'config.yml'), `discovery: {web_service: "${fake.url}", categories: [Optimize], service_areas: [Exchange]}\ndefaults: {interval: 1h}\n`);
    // Discovered targets are real Microsoft names: answer for them without the network.
    const offline = (): Promise<ProbeResult> => Promise.resolve({ success: true, startedAt: Date.now(), durationSeconds: 0.01, phases: { connect: 0.01 } });
    exporter = await Exporter.start({ configFile: join(dir, 'config.yml'), storagePath: dir, runProbe: offline });
  });

  afterAll(async () => {
    await exporter?.stop();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports the endpoint list instance and version, and the discovered targets', async () => {
    const snapshot = await poll('endpoint list loaded', async () => {
      const s = statusSnapshot(exporter);
      return s.endpoints?.version && s.services.length ? s : undefined;
    });
    expect(snapshot.endpoints).toMatchObject({ instance: 'Worldwide', from: 'network' });
    expect(snapshot.endpoints?.version).toMatch(/^\d{10}$/);
    const targets = snapshot.services.flatMap((s) => s.targets);
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.every((t) => t.source === 'discovery')).toBe(true);
  });
});
