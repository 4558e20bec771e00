/**
 * Fault matrix, disk (--storage.path, where discovery caches the endpoint list): a cache
 * file of garbage, a directory where the cache file should be, a storage path that is a
 * file, and a read-only storage directory (bind-mounted read-only in a private mount
 * namespace of the exporter only) holding an older list. Each exporter says what is wrong
 * in a warning, runs discovery from the network anyway, and serves /metrics as usual.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { valueOf } from '../helpers/exposition.js';
import { SCRAPE_BOUND_MS } from '../helpers/fault-assert.js';
import { FaultGroup } from '../helpers/fault-harness.js';
import { startHealthyHttps } from '../helpers/fault-peers.js';
import { startFakeWebService, type FakeWebService } from '../helpers/fake-webservice.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, tempDir } from '../helpers/process.js';
import type { TestServer } from '../helpers/servers.js';

const VERSION = '2099010100';
const SETS = [{ id: 1, serviceArea: 'Exchange', urls: ['mail.disk.fault.test', 'smtp.disk.fault.test'], tcpPorts: '443', category: 'Optimize', required: true }];

function olderCache(): string {
  const query = { serviceAreas: [], tenantName: '', noIPv6: false };
  return JSON.stringify({ format: 1, instance: 'Worldwide', version: '2098010100', query, fetchedAt: 0, changedAt: 0, urlsAdded: 0, urlsRemoved: 0, sets: SETS });
}

interface DiskCase {
  name: string;
  /** Prepares `dir` and says what --storage.path is and what runs the exporter. */
  prepare(dir: string): { storagePath: string; prefix?: string[] };
  warnings: RegExp[];
}

const cacheDir = (dir: string) => join(dir, 'data', 'endpoints');
const cacheFile = (dir: string) => join(cacheDir(dir), 'endpoints-Worldwide.json');

const CASES: DiskCase[] = [
  {
    name: 'cache file of garbage bytes',
    prepare(dir) {
      mkdirSync(cacheDir(dir), { recursive: true });
      writeFileSync(cacheFile(dir), Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x7b, 0x00, 0xff]));
      return { storagePath: join(dir, 'data') };
    },
    warnings: [/level=warn msg="endpoint list cache not used" problem=".*endpoints-Worldwide\.json is not a usable cache/],
  },
  {
    name: 'a directory in place of the cache file',
    prepare(dir) {
      mkdirSync(cacheFile(dir), { recursive: true });
      return { storagePath: join(dir, 'data') };
    },
    warnings: [/msg="endpoint list cache not used" problem="cannot read .*: EISDIR"/, /level=warn msg="cannot write the endpoint list cache"/],
  },
  {
    name: 'storage path is a file',
    prepare(dir) {
      writeFileSync(join(dir, 'data'), 'not a directory\n');
      return { storagePath: join(dir, 'data') };
    },
    warnings: [/level=warn msg="cannot keep the ClientRequestId in the data directory, using one for this run"/, /level=warn msg="cannot write the endpoint list cache" error=".*ENOTDIR/],
  },
  {
    name: 'read-only storage directory holding an older list',
    prepare(dir) {
      mkdirSync(cacheDir(dir), { recursive: true });
      writeFileSync(cacheFile(dir), olderCache());
      writeFileSync(join(cacheDir(dir), 'client-request-id'), '6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b\n');
      const data = join(dir, 'data');
      // unshare and sh exec in turn: the exporter keeps the child's pid, the mount dies with it.
      return { storagePath: data, prefix: ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount --bind -o ro "$0" "$0" && exec "$@"', data] };
    },
    warnings: [/msg="endpoint list loaded from cache" instance=Worldwide version=2098010100/, /level=warn msg="cannot write the endpoint list cache" error=".*EROFS/],
  },
];

let pki: Pki | undefined;
let dns: TestDnsServer | undefined;
let fake: FakeWebService | undefined;
let healthy: TestServer | undefined;
const groups = new Map<string, FaultGroup>();
const dirs = new Map<string, string>();
const tmp = tempDir('o365-faults-disk-');

async function startCase(c: DiskCase, index: number, yaml: string): Promise<void> {
  const dir = join(tmp.dir, `case-${index}`);
  mkdirSync(dir);
  dirs.set(c.name, dir);
  const { storagePath, prefix } = c.prepare(dir);
  const head = `resolvers: ["127.0.0.1:${dns?.resolver.port}"]\ndiscovery: {web_service: "${fake?.url}", interval: 5m}\n`;
  const group = await FaultGroup.start({ head, healthy: yaml, cases: [], args: [`--storage.path=${storagePath}`], prefix });
  groups.set(c.name, group);
  await poll(`${c.name}: the list fetched from the network and scheduled`, async () => {
    const { series } = await group.scrape();
    const fetched = valueOf(series, 'o365_endpoints_version_info', { instance: 'Worldwide', version: VERSION }) === 1;
    return fetched && valueOf(series, 'o365_exporter_targets', { source: 'discovery' }) === 2 ? true : undefined;
  }, 30_000, 200);
  await poll(`${c.name}: warnings logged`, () => (c.warnings.every((w) => w.test(group.exporter.stderr())) ? true : undefined), 10_000, 100).catch(() => undefined);
}

beforeAll(async () => {
  pki = makePki();
  dns = await startDnsServer({});
  fake = await startFakeWebService();
  fake.publish('Worldwide', VERSION, SETS);
  const peer = await startHealthyHttps(pki, tmp.dir);
  healthy = peer.server;
  // One after the other: four node processes starting at once on two busy cores take long.
  for (const [i, c] of CASES.entries()) await startCase(c, i, peer.yaml);
}, 120_000);

afterAll(async () => {
  await Promise.all([...groups.values()].map((g) => g.stop()));
  await Promise.all([dns?.close(), fake?.close(), healthy?.close()]);
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: disk', () => {
  it.each(CASES)('$name: warned, discovery runs from the network, the exporter serves', async (c) => {
    const group = groups.get(c.name) as FaultGroup;
    const stderr = group.exporter.stderr();
    for (const warning of c.warnings) expect(stderr).toMatch(warning);
    expect(stderr).not.toMatch(/level=error|fatal/);
    const { series } = await group.scrape();
    expect(valueOf(series, 'o365_endpoints_discovery_up')).toBe(1);
    expect(valueOf(series, 'o365_probe_success', { target: 'healthy' })).toBe(1);
    expect(group.exporter.child.exitCode).toBeNull();
    expect(group.maxScrapeMs()).toBeLessThan(SCRAPE_BOUND_MS);
  });

  it('a garbage cache is replaced by the list fetched', () => {
    const saved = JSON.parse(readFileSync(cacheFile(dirs.get(CASES[0]?.name ?? '') ?? ''), 'utf8')) as { version: string };
    expect(saved.version).toBe(VERSION);
  });

  it('the read-only directory was not written to, and only the exporter saw it read-only', () => {
    const dir = dirs.get(CASES[3]?.name ?? '') ?? '';
    expect((JSON.parse(readFileSync(cacheFile(dir), 'utf8')) as { version: string }).version).toBe('2098010100');
    writeFileSync(join(dir, 'data', 'writable-from-here'), 'yes');
  });

  it(`answers every /metrics scrape within ${SCRAPE_BOUND_MS} ms`, () => {
    const slowest = Math.max(...[...groups.values()].map((g) => g.maxScrapeMs()));
    console.log(`[faults] disk: ${[...groups.values()].reduce((n, g) => n + g.scrapes.length, 0)} scrapes over ${groups.size} exporters, slowest ${slowest.toFixed(0)} ms`);
    expect(slowest).toBeLessThan(SCRAPE_BOUND_MS);
  });
});
