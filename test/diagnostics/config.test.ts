import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { DEFAULT_TLS_ISSUERS } from '../../src/diagnostics/interception.js';

const tmp = mkdtempSync(join(tmpdir(), 'o365-diag-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function loadError(yaml: string): Promise<string> {
  const file = join(tmp, `c${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  const err = await loadConfigFile(file).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigError);
  return (err as ConfigError).message;
}

describe('location and diagnostics config', () => {
  it('takes a city from the sites table instead of coordinates', () => {
    expect(parseConfig('location: {city: London}', 't').location).toEqual({ lat: 51.51, lon: -0.13, city: 'London' });
    expect(parseConfig('location: {lat: 52.37, lon: 4.9}', 't').location).toEqual({ lat: 52.37, lon: 4.9 });
    expect(parseConfig('', 't').location).toBeUndefined();
  });

  it('names the path and line of an unknown city', async () => {
    const message = await loadError('labels: {site: x}\nlocation:\n  city: Atlantis\n');
    expect(message).toMatch(/:3: location\.city: unknown city "Atlantis"/);
  });

  it('rejects half a location and a city with coordinates', async () => {
    expect(await loadError('location: {lat: 1}\n')).toMatch(/location: needs both lat and lon, or a city/);
    expect(await loadError('location: {city: London, lat: 1, lon: 2}\n')).toMatch(/location\.city: give either city or lat and lon/);
    expect(await loadError('location: {lat: 91, lon: 0}\n')).toMatch(/location\.lat/);
  });

  it('defaults: Microsoft issuers, no who-am-i, a 3-day score window', () => {
    const { diagnostics } = parseConfig('', 't');
    expect(diagnostics.tls_issuers).toEqual(DEFAULT_TLS_ISSUERS);
    expect(diagnostics.whoami).toBeUndefined();
    expect(diagnostics.score_window).toBe(3 * 86_400);
  });

  it('reads who-am-i, issuers and window', async () => {
    const { diagnostics } = parseConfig('diagnostics: {whoami: {}, tls_issuers: ["Corp *"], score_window: 1d}', 't');
    expect(diagnostics).toEqual({ whoami: { name: 'whoami.akamai.net', interval: 300 }, tls_issuers: ['Corp *'], score_window: 86_400 });
    expect(await loadError('diagnostics: {tls_issuers: []}\n')).toMatch(/diagnostics\.tls_issuers/);
    expect(await loadError('diagnostics: {whoami: {name: x, every: 5m}}\n')).toMatch(/diagnostics\.whoami.*unknown key "every"/);
  });
});
