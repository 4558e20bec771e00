import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { nextCheckDelaySeconds } from '../../src/endpoints/backoff.js';
import { DiscoveryService, type DiscoveryServiceOptions } from '../../src/endpoints/service.js';
import { DiscoveryStore } from '../../src/endpoints/store.js';
import type { EndpointList } from '../../src/endpoints/types.js';
import { FIXTURE_FILES, readFixture, startFakeWebService, type FakeBehaviour, type FakeRoute, type FakeWebService } from '../helpers/fake-webservice.js';
import { refusedPort } from '../helpers/servers.js';

const HOUR = 3600;
const worldwide = () => readFixture<{ id: number; urls?: string[] }[]>(FIXTURE_FILES.Worldwide);

let fake: FakeWebService;
const dirs: string[] = [];
let services: DiscoveryService[] = [];
let clock = Date.UTC(2025, 11, 1, 8, 0, 0);

beforeAll(async () => {
  fake = await startFakeWebService();
});
afterEach(async () => {
  await Promise.all(services.map((s) => s.stop()));
  services = [];
  fake.setBehaviour('normal');
  fake.publish('Worldwide', '2025120100', worldwide());
});
afterAll(async () => {
  await fake.close();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'o365-discovery-'));
  dirs.push(dir);
  return dir;
}

function service(dir: string, over: Partial<DiscoveryServiceOptions> = {}): { svc: DiscoveryService; lists: { list: EndpointList; from: string }[] } {
  const lists: { list: EndpointList; from: string }[] = [];
  const svc = new DiscoveryService({
    instance: 'Worldwide',
    baseUrl: fake.url,
    intervalSeconds: HOUR,
    query: { serviceAreas: [], tenantName: '', noIPv6: false },
    store: new DiscoveryStore(dir),
    timeoutMs: 2000,
    now: () => clock,
    onList: (list, from) => lists.push({ list, from }),
    ...over,
  });
  services.push(svc);
  return { svc, lists };
}

/** Fresh request counters: the fake counts per path for its whole life. */
function counter() {
  const start = { version: fake.requests('/version/Worldwide'), endpoints: fake.requests('/endpoints/Worldwide') };
  return () => ({ version: fake.requests('/version/Worldwide') - start.version, endpoints: fake.requests('/endpoints/Worldwide') - start.endpoints });
}

describe('DiscoveryService against the fake web service', () => {
  it('fetches the list, sends a persisted ClientRequestId and the list options, and caches the list atomically', async () => {
    const dir = await dataDir();
    const { svc, lists } = service(dir, { query: { serviceAreas: ['Exchange', 'SharePoint'], tenantName: 'contoso', noIPv6: true } });
    expect(await svc.checkNow()).toEqual({ result: 'changed' });
    const state = svc.snapshot();
    expect(state.list?.version).toBe('2025120100');
    expect(state.list?.sets).toHaveLength(79);
    expect(state).toMatchObject({ from: 'network', lastCheckAt: clock, lastChangeAt: clock, nextCheckSeconds: HOUR, consecutiveFailures: 0, urlsAdded: 0, urlsRemoved: 0 });
    expect(lists.map((l) => l.from)).toEqual(['network']);

    const query = fake.lastQuery('/endpoints/Worldwide');
    expect(query?.get('ServiceAreas')).toBe('Exchange,SharePoint');
    expect(query?.get('TenantName')).toBe('contoso');
    expect(query?.get('NoIPv6')).toBe('true');
    const id = query?.get('ClientRequestId') ?? '';
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fake.lastQuery('/version/Worldwide')?.get('ClientRequestId')).toBe(id);
    expect((await readFile(path.join(dir, 'endpoints', 'client-request-id'), 'utf8')).trim()).toBe(id);

    // A second service on the same data dir (a restart) keeps the same GUID.
    const again = service(dir);
    await again.svc.checkNow();
    expect(fake.lastQuery('/version/Worldwide')?.get('ClientRequestId')).toBe(id);
    // Another machine (data dir) gets another one.
    const other = service(await dataDir());
    await other.svc.checkNow();
    expect(fake.lastQuery('/version/Worldwide')?.get('ClientRequestId')).not.toBe(id);

    expect((await readdir(path.join(dir, 'endpoints'))).sort()).toEqual(['client-request-id', 'endpoints-Worldwide.json']);
  });

  it('fetches /endpoints only when the version changed, and counts the URLs the change added and removed', async () => {
    const { svc, lists } = service(await dataDir());
    const count = counter();
    await svc.checkNow();
    for (let i = 0; i < 3; i++) {
      clock += HOUR * 1000;
      expect(await svc.checkNow()).toEqual({ result: 'unchanged' });
    }
    expect(count()).toEqual({ version: 4, endpoints: 1 });
    const changedAt = svc.snapshot().lastChangeAt;
    expect(svc.snapshot()).toMatchObject({ lastCheckAt: clock });
    expect(changedAt).toBeLessThan(clock);

    // Version bump with a changed list: set 1 loses outlook.cloud.microsoft, set 12 gains two URLs.
    const changed = worldwide().map((s) =>
      s.id === 1 ? { ...s, urls: (s.urls ?? []).filter((u) => u !== 'outlook.cloud.microsoft') } : s.id === 12 ? { ...s, urls: [...(s.urls ?? []), 'new1.teams.microsoft.com', 'new2.teams.microsoft.com'] } : s,
    );
    fake.publish('Worldwide', '2026010100', changed);
    clock += HOUR * 1000;
    expect(await svc.checkNow()).toEqual({ result: 'changed' });
    expect(count()).toEqual({ version: 5, endpoints: 2 });
    expect(svc.snapshot()).toMatchObject({ urlsAdded: 2, urlsRemoved: 1, lastChangeAt: clock, list: { version: '2026010100' } });
    expect(lists.map((l) => l.list.version)).toEqual(['2025120100', '2026010100']);
    // Checks that overlap share one request.
    await Promise.all([svc.checkNow(), svc.checkNow(), svc.checkNow()]);
    expect(count()).toEqual({ version: 6, endpoints: 2 });
  });

  const failures: { behaviour: FakeBehaviour; routes: FakeRoute[]; reason: string }[] = [
    { behaviour: 'http_429', routes: ['endpoints'], reason: 'http_429' },
    { behaviour: 'http_429', routes: ['version'], reason: 'http_429' },
    { behaviour: 'http_500', routes: ['version'], reason: 'http_5xx' },
    { behaviour: 'http_500', routes: ['endpoints'], reason: 'http_5xx' },
    { behaviour: 'truncated', routes: ['endpoints'], reason: 'invalid_json' },
    { behaviour: 'reset', routes: ['endpoints'], reason: 'network' },
    { behaviour: 'wrong_shape', routes: ['endpoints'], reason: 'invalid_shape' },
    { behaviour: 'wrong_shape', routes: ['version'], reason: 'invalid_shape' },
    { behaviour: 'hang', routes: ['endpoints'], reason: 'timeout' },
    { behaviour: 'hang', routes: ['version'], reason: 'timeout' },
  ];
  for (const { behaviour, routes, reason } of failures) {
    it(`${behaviour} on /${routes.join(',')} keeps the last good list (${reason}) and recovers`, async () => {
      const { svc, lists } = service(await dataDir(), { timeoutMs: 300 });
      await svc.checkNow();
      const good = svc.list;
      // A new version is out, but the service misbehaves.
      fake.publish('Worldwide', '2026010100', worldwide().slice(1));
      fake.setBehaviour(behaviour, routes);
      const delays: number[] = [];
      for (let i = 0; i < 3; i++) {
        expect(await svc.checkNow()).toMatchObject({ result: 'failed', reason });
        delays.push(svc.snapshot().nextCheckSeconds ?? 0);
      }
      expect(svc.list).toBe(good);
      expect(svc.snapshot()).toMatchObject({ consecutiveFailures: 3, list: { version: '2025120100' } });
      expect(svc.snapshot().errors[reason as 'network']).toBe(3);
      expect(delays).toEqual(reason === 'http_429' ? [HOUR, HOUR, HOUR] : [300, 600, 1200]);

      fake.setBehaviour('normal');
      expect(await svc.checkNow()).toEqual({ result: 'changed' });
      expect(svc.snapshot()).toMatchObject({ consecutiveFailures: 0, nextCheckSeconds: HOUR, list: { version: '2026010100' } });
      expect(svc.list?.sets).toHaveLength(78);
      expect(lists).toHaveLength(2);
    });
  }

  it('a restart with the web service down loads the cached list; with neither, no list', async () => {
    const dir = await dataDir();
    const first = service(dir);
    await first.svc.checkNow();
    await first.svc.stop();

    const down = `http://127.0.0.1:${await refusedPort()}`;
    const restarted = service(dir, { baseUrl: down });
    await restarted.svc.start();
    expect(restarted.lists.map((l) => [l.from, l.list.version, l.list.sets.length])).toEqual([['cache', '2025120100', 79]]);
    expect(await restarted.svc.checkNow()).toMatchObject({ result: 'failed', reason: 'network' });
    expect(restarted.svc.snapshot()).toMatchObject({ from: 'cache', list: { version: '2025120100' }, lastChangeAt: first.svc.snapshot().lastChangeAt });

    const nothing = service(await dataDir(), { baseUrl: down });
    await nothing.svc.start();
    expect(await nothing.svc.checkNow()).toMatchObject({ result: 'failed' });
    expect(nothing.svc.list).toBeUndefined();
    expect(nothing.lists).toHaveLength(0);
  });

  it('a cache asked with other options is used until refreshed, even when the version is the same', async () => {
    const dir = await dataDir();
    await service(dir).svc.checkNow();
    const count = counter();
    const { svc, lists } = service(dir, { query: { serviceAreas: ['Exchange'], tenantName: 'contoso', noIPv6: false } });
    expect(await svc.loadCache()).toBe(true);
    expect(await svc.checkNow()).toEqual({ result: 'changed' });
    expect(count()).toEqual({ version: 1, endpoints: 1 });
    expect(lists.map((l) => l.from)).toEqual(['cache', 'network']);
    expect(await svc.checkNow()).toEqual({ result: 'unchanged' });
    expect(count()).toEqual({ version: 2, endpoints: 1 });
  });

  it('a corrupt cache is reported and ignored, never fatal', async () => {
    const dir = await dataDir();
    await service(dir).svc.checkNow();
    const file = new DiscoveryStore(dir).cacheFile('Worldwide');
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, 100));
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_m: string, f?: Record<string, unknown>) => void warnings.push(String(f?.problem)) };
    const { svc } = service(dir, { logger });
    expect(await svc.loadCache()).toBe(false);
    expect(warnings.join()).toContain('is not a usable cache');
    expect(await svc.checkNow()).toEqual({ result: 'changed' });
  });

  it('stop() ends a check hung on the network without counting it as a failure', async () => {
    // A timeout longer than the test's: only closing the connection can end this check.
    const { svc } = service(await dataDir(), { timeoutMs: 120_000 });
    fake.setBehaviour('hang', ['version']);
    const before = fake.requests('/version/Worldwide');
    const check = svc.checkNow();
    await expect.poll(() => fake.requests('/version/Worldwide')).toBe(before + 1);
    await svc.stop();
    expect(await check).toMatchObject({ result: 'failed' });
    expect(Object.values(svc.snapshot().errors).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('an unwritable data dir costs the cache, not discovery', async () => {
    const file = path.join(await dataDir(), 'not-a-dir');
    await writeFile(file, 'x');
    const { svc } = service(file); // <file>/endpoints cannot be made
    expect(await svc.checkNow()).toEqual({ result: 'changed' });
    expect(fake.lastQuery('/version/Worldwide')?.get('ClientRequestId')).toMatch(/^[0-9a-f-]{36}$/);
    expect(svc.list?.sets).toHaveLength(79);
  });

  it('serves each instance its own list', async () => {
    for (const [instance, sets] of [['USGovDoD', 25], ['USGovGCCHigh', 26], ['China', 22]] as const) {
      const { svc } = service(await dataDir(), { instance });
      expect(await svc.checkNow()).toEqual({ result: 'changed' });
      expect(svc.list).toMatchObject({ instance });
      expect(svc.list?.sets).toHaveLength(sets);
    }
  });

  it('start() checks at once, in the background', async () => {
    const count = counter();
    const { svc, lists } = service(await dataDir(), { intervalSeconds: 300 });
    await svc.start();
    await expect.poll(() => lists.length, { timeout: 5000 }).toBe(1);
    expect(count().endpoints).toBe(1);
  });
});

describe('next check delay', () => {
  it('interval after success, an hour after 429, doubling from 5 min after other failures, capped', () => {
    expect(nextCheckDelaySeconds(HOUR, { consecutiveFailures: 0 })).toBe(HOUR);
    expect(nextCheckDelaySeconds(300, { failure: 'http_429', consecutiveFailures: 1 })).toBe(HOUR);
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => nextCheckDelaySeconds(HOUR, { failure: 'timeout', consecutiveFailures: n }))).toEqual([300, 600, 1200, 2400, HOUR, HOUR, HOUR]);
    expect(nextCheckDelaySeconds(6 * HOUR, { failure: 'http_5xx', consecutiveFailures: 8 })).toBe(6 * HOUR);
    expect(nextCheckDelaySeconds(300, { failure: 'network', consecutiveFailures: 3 })).toBe(1200);
  });
});
