import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/load.js';

describe('discovery: config block', () => {
  it('is off when absent and filled with defaults when present', () => {
    expect(parseConfig('targets: []\n', 't.yml').discovery).toBeUndefined();
    expect(parseConfig('discovery: {}\n', 't.yml').discovery).toEqual({
      enabled: true,
      instance: 'Worldwide',
      categories: ['Optimize', 'Allow'],
      required_only: false,
      no_ipv6: false,
      teams_relay: 'world.tr.teams.microsoft.com',
      web_service: 'https://endpoints.office.com',
      interval: 3600,
    });
  });

  it('accepts the example of the issue', () => {
    const yaml = 'discovery:\n  instance: USGovGCCHigh\n  tenant: contoso\n  categories: [Optimize]\n  service_areas: [Exchange, SharePoint, Skype, Common]\n  required_only: true\n  web_service: http://127.0.0.1:8080/\n  interval: 5m\n';
    expect(parseConfig(yaml, 't.yml').discovery).toMatchObject({ instance: 'USGovGCCHigh', tenant: 'contoso', categories: ['Optimize'], interval: 300, required_only: true });
  });

  it('names the key and line of a bad value: interval under 5m, unknown instance, unknown key', () => {
    const problems = (yaml: string) => {
      try {
        parseConfig(yaml, 't.yml');
      } catch (err) {
        if (err instanceof ConfigError) return err.problems.join('\n');
      }
      return '';
    };
    expect(problems('discovery:\n  interval: 1m\n')).toMatch(/t\.yml:2: discovery\.interval: must be at least 5m/);
    expect(problems('discovery:\n  instance: Mars\n')).toMatch(/t\.yml:2: discovery\.instance/);
    expect(problems('discovery:\n  intervall: 1h\n')).toMatch(/discovery: unknown key "intervall"/);
    expect(problems('discovery:\n  web_service: ftp://x\n')).toMatch(/discovery\.web_service: must be an http/);
  });
});
