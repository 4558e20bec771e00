/**
 * docs/metrics.md cannot drift: a started exporter probing local peers is scraped, and every
 * metric it emits (bar the default process_/nodejs_ group) must be in the catalogue with the
 * same type and labels; every metric name in src/metrics/ must be catalogued; and every
 * catalogued name must still exist in the code.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import { ALL_METRICS, DEFAULT_METRIC_PREFIXES, findMetric } from '../../src/metrics/catalogue.js';
import { runProbe } from '../../src/probes/index.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { refusedPort, startHttpsServer, type TestServer } from '../helpers/servers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Scraped {
  types: Map<string, string>;
  /** Label names seen per metric family. */
  labels: Map<string, Set<string>>;
}

/** Reads `# TYPE` lines and the label names of every sample, mapping samples to their family. */
function parseExposition(text: string): Scraped {
  const types = new Map<string, string>();
  const labels = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? /.exec(line);
    if (!sample) continue;
    const name = sample[1] as string;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    const set = labels.get(family) ?? new Set<string>();
    for (const [, label] of (sample[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) set.add(label as string);
    labels.set(family, set);
  }
  return { types, labels };
}

const isDefaultMetric = (name: string) => DEFAULT_METRIC_PREFIXES.some((p) => name.startsWith(p));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('docs/metrics.md against a running exporter', () => {
  let pki: Pki;
  let https: TestServer;
  let dns: TestDnsServer;
  let exporter: Exporter;
  let server: Server;
  let base: string;
  let tmp: string;

  beforeAll(async () => {
    pki = makePki();
    https = await startHttpsServer(pki.valid, { status: 200, headers: { 'x-feserver': 'AM0PR01CA0001' } });
    dns = await startDnsServer({ 'outlook.test': { cname: 'lhr-efz.ms-acdc.office.test' }, 'lhr-efz.ms-acdc.office.test': { a: ['127.0.0.1'] } });
    tmp = mkdtempSync(join(tmpdir(), 'o365-metrics-doc-'));
    writeFileSync(join(tmp, 'ca.pem'), pki.ca.cert);
    const refused = await refusedPort();
    writeFileSync(
      join(tmp, 'config.yml'),
      `labels: {site: test}
resolvers: ["${dns.resolver.host}:${dns.resolver.port}"]
defaults: {interval: 1h, timeout: 3s}
targets:
  - {name: healthy, url: "${https.url('/owa/').href}", service: Exchange, category: Optimize, tls: {ca_file: "${join(tmp, 'ca.pem')}"}}
  - {name: refused, url: "https://127.0.0.1:${refused}/", service: SharePoint}
  - {name: tcp-ok, tcp: "127.0.0.1:${https.port}"}
  - {name: dns-ok, dns: outlook.test}
`,
    );
    exporter = await Exporter.start({ configFile: join(tmp, 'config.yml') });
    const listening = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0);
    server = listening.server;
    base = `http://127.0.0.1:${listening.port}`;
    const deadline = Date.now() + 15_000;
    while (!exporter.scheduler.ready && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  });

  afterAll(async () => {
    if (server) await close(server);
    await exporter?.stop();
    await https?.close();
    await dns?.close();
    pki?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('every metric on /metrics is catalogued with its type and labels', async () => {
    expect(exporter.scheduler.ready).toBe(true);
    const scraped = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const names = [...scraped.types.keys()].filter((n) => !isDefaultMetric(n));
    // The scrape really covered probe results: success and failure, http, tls and dns series.
    for (const expected of ['o365_probe_success', 'o365_probe_failures_total', 'o365_tls_info', 'o365_dns_answer_info', 'o365_http_status_code']) {
      expect(names).toContain(expected);
    }
    expect([...scraped.types.keys()].some(isDefaultMetric)).toBe(true);
    const uncatalogued = names.filter((n) => !findMetric(n));
    expect(uncatalogued, 'emitted but missing from src/metrics/catalogue.ts (then run npm run docs)').toEqual([]);
    for (const name of names) {
      const doc = findMetric(name);
      expect(scraped.types.get(name), `type of ${name}`).toBe(doc?.type);
      const allowed = new Set([...(doc?.labels ?? []), 'site', ...(doc?.type === 'histogram' ? ['le'] : [])]);
      const extra = [...(scraped.labels.get(name) ?? [])].filter((l) => !allowed.has(l));
      expect(extra, `labels of ${name} not in the catalogue`).toEqual([]);
    }
    const markdown = readFileSync(join(root, 'docs/metrics.md'), 'utf8');
    expect(names.filter((n) => !markdown.includes(`| \`${n}\` |`)), 'missing from docs/metrics.md').toEqual([]);
  });

  it('every metric on /probe (blackbox names) is catalogued', async () => {
    const responses = await Promise.all([fetch(`${base}/probe?target=healthy`), fetch(`${base}/probe?target=refused`), fetch(`${base}/probe?target=dns-ok`)]);
    const texts = await Promise.all(responses.map((r) => r.text()));
    const names = new Set(texts.flatMap((t) => [...parseExposition(t).types.keys()]));
    expect(names.has('probe_success')).toBe(true);
    expect(names.has('probe_failure_info')).toBe(true);
    expect([...names].filter((n) => findMetric(n)?.type === undefined)).toEqual([]);
  });
});

describe('catalogue against the code', () => {
  const files = sourceFiles(join(root, 'src')).filter((f) => !f.endsWith(join('metrics', 'catalogue.ts')) && !f.includes(`${join('src', 'docs')}`));
  const metricsCode = files.filter((f) => f.includes(join('src', 'metrics')) || f.includes(join('src', 'diagnostics'))).map((f) => readFileSync(f, 'utf8'));

  it('every metric name in src/metrics/ is catalogued', () => {
    const named = new Set(metricsCode.flatMap((code) => [...code.matchAll(/['"`]((?:o365|probe)_[a-z0-9_]+)['"`]/g)].map((m) => m[1] as string)));
    expect(named.size).toBeGreaterThan(20);
    expect([...named].filter((n) => !findMetric(n)), 'in the code but not in src/metrics/catalogue.ts').toEqual([]);
  });

  it('every catalogued metric still exists in the code', () => {
    const all = files.map((f) => readFileSync(f, 'utf8')).join('\n');
    expect(ALL_METRICS.filter((m) => !all.includes(`'${m.name}'`)).map((m) => m.name), 'catalogued but gone from src/').toEqual([]);
  });

  it('names follow Prometheus conventions', () => {
    for (const m of ALL_METRICS) {
      if (m.type === 'counter') expect(m.name, m.name).toMatch(/_total$/);
      if (m.unit === 'info') expect(m.name, m.name).toMatch(/_info$/);
      // probe_ssl_earliest_cert_expiry keeps blackbox_exporter's historic name.
      if (m.unit === 'seconds' && m.name !== 'probe_ssl_earliest_cert_expiry') expect(m.name, m.name).toMatch(/_seconds$/);
    }
  });
});
