import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { Diagnostics } from '../../src/diagnostics/state.js';
import { DiagnosticsMetrics } from '../../src/metrics/diagnostics-metrics.js';
import { createRegistries, renderMetrics } from '../../src/metrics/registries.js';
import type { ProbeResult } from '../../src/probes/result.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { silentLogger } from '../../src/util/log.js';
import { parseExposition, select, valueOf } from '../helpers/exposition.js';
import { fakeTarget, okResult } from '../helpers/targets.js';

const exchange = fakeTarget('exchange', { target: { name: 'exchange', spec: { kind: 'http', url: new URL('https://outlook.office365.com/owa/'), method: 'GET', headers: {} } } });

function answered(issuer: string, headers: Record<string, string>): ProbeResult {
  return okResult({
    http: { statusCode: 401, httpVersion: '1.1', headers, bodyBytes: 0 },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'outlook.com', issuer, notAfter: 2e9, notBefore: 1.7e9, fingerprint256: 'AA' }] },
  });
}
const timedOut: ProbeResult = { success: false, startedAt: Date.now(), durationSeconds: 5, phases: {}, failure: { phase: 'dns', reason: 'dns_timeout', message: 'timeout' } };

function setup(yaml = 'location: {city: Dublin}') {
  const registries = createRegistries({ defaultMetrics: false });
  const store = new ResultStore();
  const diagnostics = new Diagnostics(silentLogger);
  diagnostics.apply(parseConfig(yaml, 't'));
  new DiagnosticsMetrics(registries, store, diagnostics);
  const observe = (r: ProbeResult) => {
    store.observe(exchange, r);
    diagnostics.observe(exchange, r);
  };
  const scrape = async () => parseExposition((await renderMetrics(registries, false)).body);
  return { diagnostics, store, observe, scrape };
}

describe('Diagnostics findings and their series', () => {
  it('keeps the last front door and verdict through a probe that failed before the answer', async () => {
    const { observe, scrape } = setup();
    observe(answered('Zscaler Intermediate Root CA', { 'x-feserver': 'DB8PR04CA0123' }));
    observe(timedOut);
    const s = await scrape();
    expect(select(s, 'o365_frontdoor_info').map((x) => [x.labels.frontdoor, x.labels.city, x.labels.source])).toEqual([['DB', 'Dublin', 'header']]);
    expect(valueOf(s, 'o365_frontdoor_distance_km', { target: 'exchange' })).toBe(0); // Dublin to Dublin
    expect(valueOf(s, 'o365_tls_intercepted', { target: 'exchange' })).toBe(1);
  });

  it('keeps an unknown code as a code, with no distance', async () => {
    const { observe, scrape } = setup();
    observe(answered('Microsoft Azure RSA TLS Issuing CA 04', { 'x-feserver': 'QQ1PR01CA0001' }));
    const s = await scrape();
    expect(select(s, 'o365_frontdoor_info').map((x) => [x.labels.frontdoor, x.labels.city])).toEqual([['QQ', 'unknown']]);
    expect(select(s, 'o365_frontdoor_distance_km')).toEqual([]);
    expect(valueOf(s, 'o365_tls_intercepted', { target: 'exchange' })).toBe(0);
  });

  it('publishes no distance without a configured location', async () => {
    const { observe, scrape } = setup('');
    observe(answered('Microsoft RSA TLS CA 01', { 'x-feserver': 'AM0PR01CA0001' }));
    const s = await scrape();
    expect(select(s, 'o365_frontdoor_info')).toHaveLength(1);
    expect(select(s, 'o365_frontdoor_distance_km')).toEqual([]);
  });

  it('re-decides interception under a new issuer list, and forgets a removed target', async () => {
    const { diagnostics, store, observe, scrape } = setup();
    observe(answered('Corp Proxy CA', {}));
    expect(valueOf(await scrape(), 'o365_tls_intercepted')).toBe(1);
    diagnostics.apply(parseConfig('diagnostics: {tls_issuers: ["Corp * CA"]}', 't'));
    expect(select(await scrape(), 'o365_tls_intercepted')).toEqual([]); // no verdict until the next certificate
    observe(answered('Corp Proxy CA', {}));
    expect(valueOf(await scrape(), 'o365_tls_intercepted')).toBe(0);
    diagnostics.forget(exchange);
    store.forget(exchange);
    const s = await scrape();
    expect(select(s, 'o365_tls_intercepted')).toEqual([]);
    expect(select(s, 'o365_frontdoor_info')).toEqual([]);
  });
});
