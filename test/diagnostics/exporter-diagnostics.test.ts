/**
 * The diagnostics end to end: a started exporter probes real local peers (HTTPS servers with
 * an inspection CA, a CA named like Microsoft's, front door headers; a DNS server with an
 * -efz CNAME chain and a who-am-i name) and /metrics is read like Prometheus would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessExporter, type InProcessExporter } from '../helpers/in-process-exporter.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { parseExposition, select, valueOf, type Series } from '../helpers/exposition.js';
import { makeNamedCa } from '../helpers/named-ca.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { startHttpsServer, type TestServer } from '../helpers/servers.js';

const EDGE_REF = 'Ref A: 9F1F0E1A2B3C4D5E6F708192A3B4C5D6 Ref B: LON21EDGE0112 Ref C: 2025-03-04T10:11:12Z';
/** Amsterdam; the front door below is London (LHR), about 357 km away. */
const SITE = { lat: 52.37, lon: 4.9 };

describe('diagnostics on /metrics', () => {
  let pki: Pki;
  let tmp: string;
  let dns: TestDnsServer;
  const servers: TestServer[] = [];
  let running: InProcessExporter | undefined;
  let base: string;

  beforeAll(async () => {
    pki = makePki();
    const microsoftNamed = makeNamedCa('Microsoft Azure RSA TLS Issuing CA 07');
    tmp = mkdtempSync(join(tmpdir(), 'o365-diagnostics-'));
    const caFile = (name: string, pem: string) => {
      writeFileSync(join(tmp, name), pem);
      return join(tmp, name);
    };
    const inspectionCa = caFile('inspection-ca.pem', pki.inspectionCa.cert);
    const microsoftCa = caFile('microsoft-ca.pem', microsoftNamed.ca.cert);
    const testCa = caFile('ca.pem', pki.ca.cert);
    const inspected = await startHttpsServer(pki.inspected);
    const microsoft = await startHttpsServer(microsoftNamed.leaf);
    const frontDoor = await startHttpsServer(pki.valid, { status: 401, headers: { 'x-feserver': 'AM0PR01CA0001', 'x-calculatedfetarget': 'AM0PR01CU001.internal.outlook.com', 'x-msedge-ref': EDGE_REF } });
    servers.push(inspected, microsoft, frontDoor);
    dns = await startDnsServer({
      'outlook.test': { cname: 'outlook.ms-acdc.office.com' },
      'outlook.ms-acdc.office.com': { cname: 'lhr-efz.ms-acdc.office.com' },
      'lhr-efz.ms-acdc.office.com': { a: ['127.0.0.1'] },
      'whoami.test': { a: ['127.0.0.1'] },
    });
    const resolver = `${dns.resolver.host}:${dns.resolver.port}`;
    writeFileSync(join(tmp, 'config.yml'), `labels: {site: test}
resolvers: ["${resolver}"]
location: {lat: ${SITE.lat}, lon: ${SITE.lon}}
defaults: {interval: 1h, timeout: 5s}
diagnostics:
  whoami: {name: whoami.test, interval: 1h}
targets:
  - {name: inspected, url: "${inspected.url('/').href}", category: Optimize, tls: {ca_file: "${inspectionCa}"}}
  - {name: inspected-untrusted, url: "${inspected.url('/').href}", category: Optimize}
  - {name: microsoft-named, url: "${microsoft.url('/').href}", category: Optimize, tls: {ca_file: "${microsoftCa}"}}
  - {name: exchange, url: "https://outlook.test:${frontDoor.port}/owa/", service: Exchange, category: Optimize, tls: {ca_file: "${testCa}", server_name: localhost}}
  - {name: plain, url: "${microsoft.url('/').href}", category: Optimize, tls: {ca_file: "${microsoftCa}"}}
`);
    running = await startInProcessExporter(join(tmp, 'config.yml'));
    base = running.base;
  });

  afterAll(async () => {
    await running?.stop();
    await Promise.all(servers.map((s) => s.close()));
    await dns?.close();
    pki?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** Polls /metrics until `ready` holds (every target probed once, the who-am-i answered). */
  async function scrapeWhen(ready: (s: Series[]) => boolean, timeoutMs = 20_000): Promise<Series[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const series = parseExposition(await (await fetch(`${base}/metrics`)).text());
      if (ready(series) || Date.now() > deadline) return series;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const probed = (s: Series[]) => select(s, 'o365_probe_success').length === 5 && select(s, 'o365_dns_resolver_info').length > 0;

  it('flags a chain from an inspection CA as intercepted, even when the probe trusts it', async () => {
    const s = await scrapeWhen(probed);
    expect(valueOf(s, 'o365_probe_success', { target: 'inspected' })).toBe(1);
    expect(valueOf(s, 'o365_tls_intercepted', { target: 'inspected', service: 'Common', category: 'Optimize', path: 'direct', site: 'test' })).toBe(1);
    expect(select(s, 'o365_tls_info', { target: 'inspected' })[0]?.labels.issuer).toBe('Corporate Inspection CA');
  });

  it('flags it too when the inspection CA is not trusted: an untrusted issuer failure and intercepted', async () => {
    const s = await scrapeWhen(probed);
    expect(valueOf(s, 'o365_probe_success', { target: 'inspected-untrusted' })).toBe(0);
    expect(valueOf(s, 'o365_probe_failures_total', { target: 'inspected-untrusted', phase: 'tls', reason: 'tls_untrusted_issuer' })).toBe(1);
    expect(valueOf(s, 'o365_tls_intercepted', { target: 'inspected-untrusted' })).toBe(1);
    expect(select(s, 'o365_tls_info', { target: 'inspected-untrusted' })[0]?.labels.issuer).toBe('Corporate Inspection CA');
  });

  it('does not flag a leaf issued by a CA named like a Microsoft issuing CA', async () => {
    const s = await scrapeWhen(probed);
    expect(valueOf(s, 'o365_probe_success', { target: 'microsoft-named' })).toBe(1);
    expect(valueOf(s, 'o365_tls_intercepted', { target: 'microsoft-named' })).toBe(0);
    expect(select(s, 'o365_tls_info', { target: 'microsoft-named' })[0]?.labels.issuer).toBe('Microsoft Azure RSA TLS Issuing CA 07');
  });

  it('names the front door from headers and the CNAME chain, with its distance from the site', async () => {
    const s = await scrapeWhen(probed);
    expect(valueOf(s, 'o365_probe_success', { target: 'exchange' })).toBe(1);
    const doors = select(s, 'o365_frontdoor_info', { target: 'exchange', service: 'Exchange', path: 'direct' }).map((x) => [x.labels.frontdoor, x.labels.city, x.labels.source, x.value]);
    expect(doors.sort()).toEqual([['AM', 'Amsterdam', 'header', 1], ['LHR', 'London', 'cname', 1], ['LON', 'London', 'header', 1]]);
    const km = valueOf(s, 'o365_frontdoor_distance_km', { target: 'exchange' });
    expect(km).toBeGreaterThan(350);
    expect(km).toBeLessThan(365);
  });

  it('says so when an HTTPS answer names no front door', async () => {
    const s = await scrapeWhen(probed);
    expect(select(s, 'o365_frontdoor_info', { target: 'plain' }).map((x) => x.labels)).toEqual([
      expect.objectContaining({ frontdoor: 'unknown', city: 'unknown', source: 'none' }),
    ]);
    expect(valueOf(s, 'o365_frontdoor_distance_km', { target: 'plain' })).toBeUndefined();
  });

  it('publishes the resolver that answered each target and the resolver egress from the who-am-i name', async () => {
    const s = await scrapeWhen(probed);
    const resolver = `127.0.0.1:${dns.resolver.port}`;
    expect(valueOf(s, 'o365_dns_resolver_answer_info', { target: 'exchange', resolver })).toBe(1);
    expect(valueOf(s, 'o365_probe_phase_seconds', { target: 'exchange', phase: 'dns' })).toBeGreaterThan(0);
    expect(valueOf(s, 'o365_dns_resolver_info', { resolver, resolver_ip: '127.0.0.1' })).toBe(1);
    expect(valueOf(s, 'o365_dns_whoami_success', { resolver })).toBe(1);
    expect(dns.queries.some((q) => q.name === 'whoami.test')).toBe(true);
  });

  it('scores Exchange from the connect times, and publishes no SharePoint score', async () => {
    const s = await scrapeWhen(probed);
    const score = valueOf(s, 'o365_network_score', { service: 'Exchange' });
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
    expect(select(s, 'o365_network_score').map((x) => x.labels.service)).toEqual(['Exchange']);
  });
});
