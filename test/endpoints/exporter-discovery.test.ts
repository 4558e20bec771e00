/**
 * Discovery through the running exporter: Exporter.start with a config whose
 * discovery.web_service is the local fake. Probes are replaced by a canned runProbe (the
 * discovered targets are real Microsoft hosts; tests never reach the internet).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { ProbeTarget } from '../../src/probes/target.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { parseExposition, select, valueOf, type Series } from '../helpers/exposition.js';
import { startFakeWebService, type FakeWebService } from '../helpers/fake-webservice.js';
import { refusedPort } from '../helpers/servers.js';

/** Addresses the canned probe "connected" to: inside set 1's 52.96.0.0/14, outside set 31's ranges. */
const ADDRESSES: Record<string, string> = {
  'outlook.office365.com': '52.96.0.1',
  'contoso.sharepoint.com': '203.0.113.9',
  'contoso-my.sharepoint.com': '2603:1061:1300::5',
  // The Teams relay, inside set 11's 52.112.0.0/14 (its last address).
  'world.tr.teams.microsoft.com': '52.115.255.255',
};

async function cannedProbe(target: ProbeTarget): Promise<ProbeResult> {
  const host = target.spec.kind === 'http' ? target.spec.url.hostname : target.spec.host;
  return { success: true, startedAt: Date.now(), durationSeconds: 0.01, phases: { connect: 0.005 }, address: ADDRESSES[host] };
}

let fake: FakeWebService;
let dir: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  fake = await startFakeWebService();
  dir = await mkdtemp(path.join(tmpdir(), 'o365-exporter-discovery-'));
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, webService: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(
    file,
    `tenant: contoso
defaults:
  interval: 1h
  timeout: 2s
targets:
  - name: outlook.office365.com   # also discovered: the hand settings win
    url: https://outlook.office365.com/owa/
    service: Exchange
    category: Optimize
discovery:
  web_service: ${webService}
  interval: 5m
`,
  );
  return file;
}

async function startExporter(configFile: string): Promise<{ exporter: Exporter; scrape(): Promise<{ text: string; series: Series[] }> }> {
  const exporter = await Exporter.start({ configFile, storagePath: path.join(dir, 'data'), runProbe: cannedProbe, discoveryFetchTimeoutMs: 2000 });
  const { server, port } = await listen(createApp({ exporter, runProbe: cannedProbe }), '127.0.0.1', 0);
  cleanups.push(() => stopBoth(exporter, server));
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return { text, series: parseExposition(text) };
  };
  return { exporter, scrape };
}

async function stopBoth(exporter: Exporter, server: Server): Promise<void> {
  await Promise.all([exporter.stop(), close(server)]);
}

describe('discovery in the running exporter', () => {
  it('schedules discovered targets (hand-configured names win) and exports the discovery series', async () => {
    const { exporter, scrape } = await startExporter(await writeConfig('live.yml', fake.url));
    await expect.poll(() => exporter.scheduler.targets.filter((t) => t.source === 'discovery').length, { timeout: 10_000 }).toBeGreaterThan(0);
    const targets = exporter.scheduler.targets;
    const discovered = targets.filter((t) => t.source === 'discovery');
    // 44 targets from the worldwide list with tenant contoso (Optimize + Allow) and the Teams
    // relay for set 11, minus the hand-configured one.
    expect(discovered).toHaveLength(44);
    expect(targets.find((t) => t.name === 'world.tr.teams.microsoft.com:3478')).toMatchObject({ source: 'discovery', endpointSetId: 11, service: 'Teams', category: 'Optimize', path: 'direct', target: { spec: { kind: 'stun', port: 3478 } } });
    const outlook = targets.filter((t) => t.name === 'outlook.office365.com');
    expect(outlook).toHaveLength(1);
    expect(outlook[0]).toMatchObject({ source: 'config', target: { spec: { kind: 'http', url: new URL('https://outlook.office365.com/owa/') } } });
    expect(targets.find((t) => t.name === 'contoso-my.sharepoint.com')).toMatchObject({ source: 'discovery', endpointSetId: 31, category: 'Optimize', service: 'SharePoint', intervalSeconds: 3600 });
    expect(targets.find((t) => t.name === 'smtp.office365.com:587')).toMatchObject({ target: { spec: { kind: 'tcp', host: 'smtp.office365.com', port: 587 } }, options: { timeoutSeconds: 2 } });
    expect(exporter.discovery.mediaSets().map((s) => s.id)).toEqual([11]);
    expect(fake.requests('/endpoints/Worldwide')).toBe(1);

    // Every target runs once at start; wait for the canned results, then scrape.
    await expect.poll(() => exporter.store.all().filter((s) => s.last).length, { timeout: 10_000 }).toBe(targets.length);
    const { text, series } = await scrape();
    expect(valueOf(series, 'o365_endpoints_discovery_up')).toBe(1);
    expect(valueOf(series, 'o365_endpoints_version_info', { instance: 'Worldwide', version: '2025120100' })).toBe(1);
    expect(valueOf(series, 'o365_endpoints_targets')).toBe(45);
    expect(valueOf(series, 'o365_exporter_targets', { source: 'discovery' })).toBe(44);
    expect(valueOf(series, 'o365_endpoints_sets', { category: 'Optimize', service_area: 'Skype' })).toBe(1);
    expect(select(series, 'o365_endpoints_sets').reduce((n, s) => n + s.value, 0)).toBe(79);
    expect(valueOf(series, 'o365_endpoints_urls', { category: 'Optimize', kind: 'tenant' })).toBe(1);
    expect(valueOf(series, 'o365_endpoints_sets_not_probed', { reason: 'no_urls' })).toBe(0); // set 11 went to the STUN probe
    expect(select(series, 'o365_endpoints_fetch_errors_total').map((s) => [s.labels.reason, s.value])).toEqual(
      ['http_429', 'http_5xx', 'http_other', 'timeout', 'network', 'invalid_json', 'invalid_shape'].map((r) => [r, 0]),
    );
    expect(valueOf(series, 'o365_endpoints_last_check_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(valueOf(series, 'o365_endpoints_urls_added')).toBe(0);
    // The hand-configured outlook target is matched to set 1 by host; SharePoint to set 31.
    expect(valueOf(series, 'o365_probe_ip_in_published_range', { target: 'outlook.office365.com' })).toBe(1);
    expect(valueOf(series, 'o365_probe_ip_in_published_range', { target: 'contoso.sharepoint.com' })).toBe(0);
    expect(valueOf(series, 'o365_probe_ip_in_published_range', { target: 'contoso-my.sharepoint.com' })).toBe(1);
    expect(valueOf(series, 'o365_probe_ip_in_published_range', { target: 'outlook.office365.com:993' })).toBe(1); // set 2 publishes the same /14
    expect(valueOf(series, 'o365_probe_ip_in_published_range', { target: 'world.tr.teams.microsoft.com:3478' })).toBe(1);
    expect(select(series, 'o365_probe_ip_in_published_range')).toHaveLength(8); // 4 above + 4 IMAP/POP/SMTP ports; no address, no series
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect(`${check.stdout}${check.stderr}`).toBe('');

    // A failing web service is counted and the list is kept.
    fake.setBehaviour('http_500', ['version']);
    await exporter.discovery.checkNow();
    const after = (await scrape()).series;
    expect(valueOf(after, 'o365_endpoints_fetch_errors_total', { reason: 'http_5xx' })).toBe(1);
    expect(valueOf(after, 'o365_endpoints_discovery_up')).toBe(1);
    expect(exporter.scheduler.targets.filter((t) => t.source === 'discovery')).toHaveLength(44);
    fake.setBehaviour('normal');
  });

  it('a restart with the web service down schedules the cached list before start() returns', async () => {
    const down = `http://127.0.0.1:${await refusedPort()}`;
    const { exporter, scrape } = await startExporter(await writeConfig('down.yml', down));
    expect(exporter.scheduler.targets.filter((t) => t.source === 'discovery')).toHaveLength(44);
    const { series } = await scrape();
    expect(valueOf(series, 'o365_endpoints_discovery_up')).toBe(1);
    expect(valueOf(series, 'o365_endpoints_version_info', { instance: 'Worldwide', version: '2025120100' })).toBe(1);
    await expect.poll(async () => valueOf((await scrape()).series, 'o365_endpoints_fetch_errors_total', { reason: 'network' }), { timeout: 10_000 }).toBe(1);
  });

  it('without discovery: no discovery series and no discovered targets; enabling it by reload starts it', async () => {
    const file = path.join(dir, 'off.yml');
    await writeFile(file, 'targets:\n  - name: one\n    tcp: 127.0.0.1:9\n');
    const { exporter, scrape } = await startExporter(file);
    const { series } = await scrape();
    expect(select(series, 'o365_endpoints_discovery_up')).toHaveLength(0);
    expect(exporter.scheduler.targets.map((t) => t.name)).toEqual(['one']);

    await writeFile(file, `targets:\n  - name: one\n    tcp: 127.0.0.1:9\ndiscovery:\n  web_service: ${fake.url}\n  categories: [Optimize]\n`);
    expect(await exporter.reload()).toEqual({ ok: true });
    // The cache from the first test is loaded at once (same data dir); without tenant, 3 Optimize targets and the Teams relay.
    expect(exporter.scheduler.targets.filter((t) => t.source === 'discovery').map((t) => t.name)).toEqual(['outlook.cloud.microsoft', 'outlook.office.com', 'outlook.office365.com', 'world.tr.teams.microsoft.com:3478']);
    await writeFile(file, 'targets:\n  - name: one\n    tcp: 127.0.0.1:9\n');
    expect(await exporter.reload()).toEqual({ ok: true });
    expect(exporter.scheduler.targets.map((t) => t.name)).toEqual(['one']);
    expect(select((await scrape()).series, 'o365_endpoints_discovery_up')).toHaveLength(0);
  });
});
