import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../src/config/load.js';

/** The problems a config text is rejected with (fails the test when it is accepted). */
function problems(yaml: string, source = 'test.yml'): string[] {
  try {
    parseConfig(yaml, source);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`config was accepted:\n${yaml}`);
}

describe('parseConfig: defaults', () => {
  it('fills every default for a minimal file', () => {
    const config = parseConfig('targets:\n  - {name: a, url: "https://outlook.office365.com/owa/"}\n', 'test.yml');
    expect(config.defaults).toEqual({ interval: 30, timeout: 10, ip_version: 'prefer_ipv4', via: ['direct'], max_body_bytes: 1_048_576 });
    expect(config.labels).toEqual({});
    expect(config.resolvers).toEqual([]);
    expect(config.scheduler.max_concurrency).toBe(64);
    expect(config.probe.max_concurrent).toBe(10);
    expect(config.probe.allowed_targets).toContain('*.office365.com');
    const [target] = config.targets;
    expect(target).toMatchObject({ name: 'a', service: 'Common', category: 'Default', method: 'GET', headers: {} });
    expect(target?.interval).toBeUndefined();
  });

  it('accepts an empty file as a config without targets', () => {
    expect(parseConfig('', 'empty.yml').targets).toEqual([]);
  });

  it('parses resolvers with the default port 53 and IPv6 literals', () => {
    const config = parseConfig('resolvers: ["10.0.0.53", "10.0.0.54:5353", "[::1]:53"]\n', 'test.yml');
    expect(config.resolvers).toEqual([
      { host: '10.0.0.53', port: 53 },
      { host: '10.0.0.54', port: 5353 },
      { host: '::1', port: 53 },
    ]);
  });
});

describe('parseConfig: durations', () => {
  it.each([
    ['500ms', 0.5],
    ['30s', 30],
    ['1m30s', 90],
    ['2h', 7200],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseConfig(`defaults: {interval: ${text}}\n`, 'test.yml').defaults.interval).toBe(seconds);
  });

  it('rejects a bare number with a clear error naming path and line', () => {
    expect(problems('defaults:\n  interval: 30\n')).toEqual(['test.yml:2: defaults.interval: expected a duration such as 30s (a bare number has no unit)']);
  });

  it('rejects an unknown unit, and a zero duration', () => {
    expect(problems('defaults:\n  timeout: 10x\n')).toEqual(['test.yml:2: defaults.timeout: invalid duration "10x" (use e.g. 500ms, 30s, 5m, 1h)']);
    expect(problems('targets:\n  - name: a\n    dns: x.example\n    interval: 0s\n')).toEqual([
      'test.yml:4: targets[0].interval: invalid duration "0s" (use e.g. 500ms, 30s, 5m, 1h)',
    ]);
  });
});

describe('parseConfig: strictness', () => {
  it('rejects an unknown top-level key with its line', () => {
    expect(problems('labels: {site: hq}\nintervall: 30s\n')).toEqual(['test.yml:2: (top level): unknown key "intervall"']);
  });

  it('rejects unknown nested keys with the path and the line of the key', () => {
    const yaml = ['targets:', '  - name: a', '    url: https://outlook.office365.com/', '    tls:', '      ca_fil: /x.pem', '    colour: red', ''].join('\n');
    expect(problems(yaml).sort()).toEqual(['test.yml:5: targets[0].tls: unknown key "ca_fil"', 'test.yml:6: targets[0]: unknown key "colour"']);
  });

  it('reports a YAML syntax error with its line', () => {
    const found = problems('targets:\n  - name: a\n   url: https://x/\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^test\.yml:3: YAML: /);
  });

  it('rejects a duplicate YAML key', () => {
    expect(problems('labels: {}\nlabels: {}\n')[0]).toMatch(/^test\.yml:2: YAML: .*unique/i);
  });

  it('rejects a duplicate target name, alone, with the path targets[N].name', () => {
    const yaml = 'targets:\n  - {name: a, tcp: "h:1"}\n  - {name: b, tcp: "h:2"}\n  - {name: a, tcp: "h:3"}\n';
    expect(problems(yaml)).toEqual(['test.yml:4: targets[2].name: duplicate target name "a" (also targets[0])']);
  });

  it.each([
    ['h:0', 'port 0 out of range 1-65535'],
    ['h:65536', 'port 65536 out of range 1-65535'],
    ['h', '"h" needs a port (host:port)'],
    ['h:x', '"h:x" is not host:port'],
  ])('rejects tcp %s', (value, message) => {
    expect(problems(`targets:\n  - name: a\n    tcp: "${value}"\n`)).toEqual([`test.yml:3: targets[0].tcp: ${message}`]);
  });

  it('rejects a bad resolver port', () => {
    expect(problems('resolvers: ["10.0.0.1:99999"]\n')).toEqual(['test.yml:1: resolvers[0]: port 99999 out of range 1-65535']);
  });

  it('requires exactly one of url, tcp, dns, stun', () => {
    const yaml = 'targets:\n  - {name: a}\n  - {name: b, url: "https://x.example/", dns: x.example}\n';
    expect(problems(yaml)).toEqual([
      'test.yml:2: targets[0]: exactly one of url, tcp, dns, stun is required (found none)',
      'test.yml:3: targets[1]: exactly one of url, tcp, dns, stun is required (found url, dns)',
    ]);
  });

  it('rejects a non-HTTP URL and a bad target name', () => {
    expect(problems('targets:\n  - {name: "a b", url: "ftp://x.example/"}\n')).toEqual([
      'test.yml:2: targets[0].name: only letters, digits and _ . : -',
      'test.yml:2: targets[0].url: must be an http:// or https:// URL',
    ]);
  });

  it('rejects `via` naming an unknown proxy, and accepts a defined one', () => {
    expect(problems('targets:\n  - name: a\n    tcp: "h:1"\n    via: [direct, corp]\n')).toEqual([
      'test.yml:4: targets[0].via[1]: unknown path "corp" (not "direct" nor a proxies[].name)',
    ]);
    const ok = parseConfig('proxies: [{name: corp, url: "http://proxy.example:3128"}]\ntargets:\n  - {name: a, tcp: "h:1", via: [direct, corp]}\n', 'test.yml');
    expect(ok.targets[0]?.via).toEqual(['direct', 'corp']);
  });

  it('rejects a label name Prometheus would not accept', () => {
    expect(problems('labels: {"1site": x}\n')[0]).toMatch(/^test\.yml:1: labels\.1site: invalid key: not a Prometheus label name/);
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'o365-config-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the file in every problem', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'defaults:\n  interval: 30\n');
    await expect(loadConfigFile(file)).rejects.toThrow(`invalid config ${file}:\n  ${file}:2: defaults.interval:`);
  });

  it('says when the file cannot be read', async () => {
    const file = join(dir, 'missing.yml');
    await expect(loadConfigFile(file)).rejects.toThrow(`invalid config ${file}:\n  cannot read file: ENOENT`);
  });

  it('returns the config, its source and text', async () => {
    const file = join(dir, 'ok.yml');
    writeFileSync(file, 'labels: {site: hq}\n');
    const loaded = await loadConfigFile(file);
    expect(loaded).toMatchObject({ source: file, text: 'labels: {site: hq}\n' });
    expect(loaded.config.labels).toEqual({ site: 'hq' });
  });

  it('reads a relative tls.ca_file next to the config file, whatever the working directory', async () => {
    const sub = join(dir, 'site');
    mkdirSync(join(sub, 'certs'), { recursive: true });
    writeFileSync(join(sub, 'certs', 'corp.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = join(sub, 'relative.yml');
    writeFileSync(file, 'targets:\n  - {name: a, url: "https://a.example/", tls: {ca_file: certs/corp.pem}}\nmodules:\n  m: {prober: https, tls: {ca_file: ./certs/corp.pem}}\n');
    expect(process.cwd()).not.toBe(sub);
    const { config } = await loadConfigFile(file);
    expect(config.targets[0]?.tls?.ca_file).toBe(join(sub, 'certs', 'corp.pem'));
    expect(config.modules.m?.tls?.ca_file).toBe(join(sub, 'certs', 'corp.pem'));
  });

  it('names a relative tls.ca_file that is missing by where it was looked for', async () => {
    const file = join(dir, 'missing-ca.yml');
    writeFileSync(file, 'targets:\n  - name: a\n    url: "https://a.example/"\n    tls: {ca_file: nowhere.pem}\n');
    await expect(loadConfigFile(file)).rejects.toThrow(`${file}:4: targets[0].tls.ca_file: cannot read ${join(dir, 'nowhere.pem')}: ENOENT`);
  });
});
