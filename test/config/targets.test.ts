import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_NAME } from '../../src/config/default.js';
import { ConfigError, loadConfigFile, loadDefaultConfig, parseConfig } from '../../src/config/load.js';
import { buildTargets } from '../../src/config/targets.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { tempDir } from '../helpers/process.js';

describe('buildTargets', () => {
  it('resolves options from defaults and per-target overrides, one per path', async () => {
    const config = parseConfig(
      [
        'resolvers: ["127.0.0.1:5353"]',
        'defaults: {interval: 20s, timeout: 5s, ip_version: ipv4}',
        'proxies: [{name: corp, url: "http://proxy.example:3128"}]',
        'targets:',
        '  - {name: a, url: "https://outlook.office365.com/owa/", service: Exchange, category: Optimize, interval: 15s, timeout: 2s}',
        '  - {name: b, tcp: "smtp.office365.com:587", via: [direct, corp], ip_version: ipv6}',
        '  - {name: c, dns: outlook.office365.com}',
        '',
      ].join('\n'),
      'test.yml',
    );
    const targets = await buildTargets(config);
    expect(targets.map((t) => t.key)).toEqual(['a|direct', 'b|direct', 'b|corp', 'c|direct']);
    const [a, b, bCorp, c] = targets;
    expect(a).toMatchObject({ name: 'a', service: 'Exchange', category: 'Optimize', path: 'direct', intervalSeconds: 15, source: 'config' });
    expect(a?.options).toMatchObject({ timeoutSeconds: 2, ipVersion: 'ipv4', resolvers: [{ host: '127.0.0.1', port: 5353 }] });
    expect(a?.target.spec).toMatchObject({ kind: 'http', method: 'GET' });
    expect(b?.target.spec).toEqual({ kind: 'tcp', host: 'smtp.office365.com', port: 587 });
    expect(b?.options).toMatchObject({ timeoutSeconds: 5, ipVersion: 'ipv6' });
    expect(b?.intervalSeconds).toBe(20);
    expect(b?.options.proxy).toBeUndefined();
    expect(bCorp?.options.proxy?.name).toBe('corp');
    expect(bCorp?.options.proxy?.url.href).toBe('http://proxy.example:3128/');
    expect(c?.target.spec).toEqual({ kind: 'dns', host: 'outlook.office365.com' });
  });
});

describe('tls.ca_file', () => {
  let pki: Pki;
  const tmp = tempDir('o365-ca-test-');
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => {
    pki?.cleanup();
    tmp.cleanup();
  });

  const configWithCa = (caFile: string) => `targets:\n  - name: a\n    url: https://127.0.0.1:8443/\n    tls:\n      ca_file: ${caFile}\n`;

  it('loads the PEM into the probe options', async () => {
    const caFile = join(tmp.dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.cert);
    const file = join(tmp.dir, 'ok.yml');
    writeFileSync(file, configWithCa(caFile));
    const [target] = await buildTargets((await loadConfigFile(file)).config);
    expect(target?.options.tls.ca).toBe(pki.ca.cert);
  });

  it('a missing CA file is a config error naming the config file, its line, the key path and the CA path', async () => {
    const missing = join(tmp.dir, 'nope', 'ca.pem');
    const file = join(tmp.dir, 'missing-ca.yml');
    writeFileSync(file, configWithCa(missing));
    const err = await loadConfigFile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([`${file}:5: targets[0].tls.ca_file: cannot read ${missing}: ENOENT`]);
    expect((err as ConfigError).message).toMatch(new RegExp(`^invalid config ${file}:`));
  });

  it('a CA file without a certificate is rejected', async () => {
    const notPem = join(tmp.dir, 'key-only.pem');
    writeFileSync(notPem, pki.ca.key);
    const file = join(tmp.dir, 'not-pem.yml');
    writeFileSync(file, configWithCa(notPem));
    await expect(loadConfigFile(file)).rejects.toThrow(`${file}:5: targets[0].tls.ca_file: ${notPem} holds no PEM certificate`);
  });

  it('buildTargets still names the path when the file went away after loading', async () => {
    const config = parseConfig(configWithCa(join(tmp.dir, 'gone.pem')), 'test.yml');
    await expect(buildTargets(config)).rejects.toThrow(/targets\[0\]\.tls\.ca_file: cannot use CA file .*gone\.pem/);
  });
});

describe('embedded default config', () => {
  it('is valid and probes the core Microsoft 365 endpoints over HTTPS', async () => {
    const loaded = loadDefaultConfig(undefined);
    expect(loaded.source).toBe(DEFAULT_CONFIG_NAME);
    const hosts = (await buildTargets(loaded.config)).map((t) => (t.target.spec.kind === 'http' ? t.target.spec.url.host : ''));
    expect(hosts).toEqual(expect.arrayContaining(['outlook.office365.com', 'outlook.office.com', 'teams.microsoft.com', 'login.microsoftonline.com', 'www.office.com']));
    // Every target is HTTPS except the Teams relay (STUN over UDP, test/config/udp-targets.test.ts).
    expect(loaded.config.targets.filter((t) => t.stun === undefined).every((t) => t.url?.startsWith('https://'))).toBe(true);
    expect(loaded.config.targets.some((t) => t.service === 'SharePoint')).toBe(false);
  });

  it('a tenant adds its SharePoint and OneDrive targets', async () => {
    const loaded = loadDefaultConfig('contoso');
    expect(loaded.config.tenant).toBe('contoso');
    const sharepoint = loaded.config.targets.filter((t) => t.service === 'SharePoint').map((t) => [t.name, t.url]);
    expect(sharepoint).toEqual([
      ['sharepoint', 'https://contoso.sharepoint.com/'],
      ['onedrive', 'https://contoso-my.sharepoint.com/'],
    ]);
    expect(await buildTargets(loaded.config)).toHaveLength(loaded.config.targets.length);
  });

  it('reads the tenant from O365_TENANT', () => {
    const before = process.env.O365_TENANT;
    process.env.O365_TENANT = 'fabrikam';
    try {
      expect(loadDefaultConfig().config.targets.map((t) => t.url)).toContain('https://fabrikam.sharepoint.com/');
    } finally {
      if (before === undefined) delete process.env.O365_TENANT;
      else process.env.O365_TENANT = before;
    }
  });

  it('an invalid tenant is rejected, not turned into a URL', () => {
    expect(() => loadDefaultConfig('bad tenant/x')).toThrow(/tenant/);
  });
});
