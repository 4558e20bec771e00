/**
 * The HTTP surface of an in-process Exporter on 127.0.0.1:0, with a fake runProbe (the
 * network is not the subject): /metrics, /-/healthy, /-/ready, /-/reload, landing page.
 */
import { get, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from '../../src/probes/target.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { poll, tempDir } from '../helpers/process.js';
import { failedResult, okResult } from '../helpers/targets.js';

const tmp = tempDir('o365-app-test-');
const configFile = join(tmp.dir, 'config.yml');
/** The first probe of each target waits here until the test opens the gate. */
let openGate = () => {};
const gate = new Promise<void>((resolve) => (openGate = resolve));
const calls: string[] = [];

async function fakeRunProbe(target: ProbeTarget, _options: ProbeOptions, ctx: ProbeContext): Promise<ProbeResult> {
  calls.push(target.name);
  await Promise.race([gate, new Promise((resolve) => ctx.signal.addEventListener('abort', resolve, { once: true }))]);
  return target.name.startsWith('bad') ? failedResult('connect', 'connect_refused', { connect: 0.001 }) : okResult();
}

const config = (names: string[], extra = '') => `labels: {site: lab}\ndefaults: {interval: 1s, timeout: 1s}\n${extra}targets:\n${names.map((n) => `  - {name: ${n}, tcp: "127.0.0.1:9"}\n`).join('')}`;

let exporter: Exporter;
let server: Server;
let base: string;

beforeAll(async () => {
  writeFileSync(configFile, config(['good', 'bad']));
  exporter = await Exporter.start({ configFile, runProbe: fakeRunProbe });
  const bound = await listen(createApp({ exporter, runProbe: fakeRunProbe }), '127.0.0.1', 0);
  server = bound.server;
  base = `http://127.0.0.1:${bound.port}`;
});

afterAll(async () => {
  openGate();
  await exporter?.stop();
  if (server) await close(server);
  tmp.cleanup();
});

/** A GET that does not decode anything (fetch would gunzip behind our back). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

async function metrics() {
  return parseExposition(await (await fetch(`${base}/metrics`)).text());
}

describe('HTTP endpoints', () => {
  it('is healthy at once, and ready only after the first round of probes', async () => {
    const healthy = await fetch(`${base}/-/healthy`);
    expect([healthy.status, await healthy.text()]).toEqual([200, 'Healthy\n']);
    await poll('both first probes started', () => (calls.length >= 2 ? true : undefined));
    const notReady = await fetch(`${base}/-/ready`);
    expect([notReady.status, await notReady.text()]).toEqual([503, 'Not ready: first round of probes still running\n']);
    // Held past a slot, so each target has a missed-slot series for the reload test to see go.
    await poll('a missed slot of each', async () => {
      const series = await metrics();
      return ['good', 'bad'].every((target) => (valueOf(series, 'o365_exporter_probe_slots_missed_total', { target }) ?? 0) > 0) ? true : undefined;
    });
    openGate();
    await poll('ready', async () => ((await fetch(`${base}/-/ready`)).status === 200 ? true : undefined));
  });

  it('serves Prometheus text by default and OpenMetrics when asked', async () => {
    const text = await fetch(`${base}/metrics`);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const series = parseExposition(await text.text());
    expect(valueOf(series, 'o365_probe_success', { target: 'good', site: 'lab' })).toBe(1);
    expect(valueOf(series, 'o365_probe_success', { target: 'bad', site: 'lab' })).toBe(0);
    const om = await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect((await om.text()).trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('gzips /metrics when the scraper asks (as Prometheus does), plain text otherwise', async () => {
    const zipped = await rawGet(`${base}/metrics`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(zipped.headers.vary).toMatch(/accept-encoding/i);
    const text = gunzipSync(zipped.body).toString('utf8');
    expect(valueOf(parseExposition(text), 'o365_probe_success', { target: 'good', site: 'lab' })).toBe(1);
    const refusals: Record<string, string>[] = [{}, { 'accept-encoding': 'gzip;q=0, identity' }, { 'accept-encoding': 'br' }];
    for (const headers of refusals) {
      const plain = await rawGet(`${base}/metrics`, headers);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.body.toString('utf8')).toContain('# TYPE o365_probe_success gauge');
    }
  });

  it('has a landing page linking the endpoints, and 404 elsewhere', async () => {
    const page = await (await fetch(`${base}/`)).text();
    for (const link of ['href="metrics"', 'href="-/healthy"', 'href="-/ready"']) expect(page).toContain(link);
    expect(page).toContain('<td>good</td>');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('POST /-/reload', () => {
  it('swaps targets: new ones appear, removed ones lose every series', async () => {
    writeFileSync(configFile, config(['good', 'newer']));
    const res = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect([res.status, await res.text()]).toEqual([200, 'Reloaded\n']);
    expect(exporter.scheduler.targets.map((t) => t.name).sort()).toEqual(['good', 'newer']);
    const series = await poll('newer probed', async () => {
      const s = await metrics();
      return valueOf(s, 'o365_probe_success', { target: 'newer' }) === 1 ? s : undefined;
    });
    expect(series.filter((s) => s.labels.target === 'bad').map((s) => s.name)).toEqual([]);
    expect(valueOf(series, 'o365_exporter_probe_slots_missed_total', { target: 'good' })).toBeGreaterThan(0);
    expect(valueOf(series, 'o365_exporter_config_last_reload_successful')).toBe(1);
  });

  it('an invalid file answers 500 with the error, flags the reload failed and keeps the old targets', async () => {
    const before = await metrics();
    const loadedAt = valueOf(before, 'o365_exporter_config_last_reload_success_timestamp_seconds');
    const probesBefore = valueOf(before, 'o365_probes_total', { target: 'good' }) ?? 0;
    writeFileSync(configFile, config(['good'], 'defaults: {interval: 5}\n'));
    const res = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).toMatch(/^failed to reload config: invalid config /);
    // The second `defaults:` key, on line 3.
    expect(body).toMatch(new RegExp(`${configFile}:3: YAML: .*unique`, 'i'));
    const after = await metrics();
    expect(valueOf(after, 'o365_exporter_config_last_reload_successful')).toBe(0);
    expect(valueOf(after, 'o365_exporter_config_last_reload_success_timestamp_seconds')).toBe(loadedAt);
    expect(exporter.scheduler.targets.map((t) => t.name).sort()).toEqual(['good', 'newer']);
    // And they are still being probed.
    await poll('good probed again', async () => ((valueOf(await metrics(), 'o365_probes_total', { target: 'good' }) ?? 0) > probesBefore ? true : undefined));
  });

  it('a schema error is reported with its line; a later valid reload recovers', async () => {
    writeFileSync(configFile, config(['good']).replace('interval: 1s', 'interval: 1'));
    const res = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain(`${configFile}:2: defaults.interval: expected a duration`);
    writeFileSync(configFile, config(['good']));
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect(valueOf(await metrics(), 'o365_exporter_config_last_reload_successful')).toBe(1);
    expect(exporter.scheduler.targets.map((t) => t.name)).toEqual(['good']);
  });

  it('GET is not a reload', async () => {
    expect((await fetch(`${base}/-/reload`)).status).toBe(404);
  });
});
