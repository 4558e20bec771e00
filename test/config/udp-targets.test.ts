import { describe, expect, it } from 'vitest';
import { loadDefaultConfig, parseConfig } from '../../src/config/load.js';
import { buildTargets } from '../../src/config/targets.js';

describe('stun targets in the config', () => {
  it('the embedded default probes the Teams relay over STUN, 10 requests 20 ms apart', async () => {
    const targets = await buildTargets(loadDefaultConfig().config);
    const relay = targets.filter((t) => t.name === 'teams-relay');
    expect(relay).toHaveLength(1);
    expect(relay[0]).toMatchObject({ service: 'Teams', category: 'Optimize', path: 'direct' });
    expect(relay[0]?.target.spec).toEqual({ kind: 'stun', host: 'world.tr.teams.microsoft.com', port: 3478 });
    expect(relay[0]?.options.stun).toEqual({ count: 10, spacingSeconds: 0.02 });
  });

  it('stun and dns targets run direct only, whatever via says; TCP and HTTP get every path', async () => {
    const config = parseConfig(
      [
        'proxies: [{name: corp, url: "http://proxy.example:3128"}]',
        'defaults: {via: [direct, corp]}',
        'targets:',
        '  - {name: relay, stun: "relay.example"}',
        '  - {name: relay-corp, stun: "relay.example:3479", via: [corp]}',
        '  - {name: name, dns: outlook.office365.com}',
        '  - {name: smtp, tcp: "smtp.office365.com:587"}',
        '  - {name: owa, url: "https://outlook.office365.com/owa/", via: [corp]}',
        '',
      ].join('\n'),
      'test.yml',
    );
    const targets = await buildTargets(config);
    expect(targets.map((t) => t.key)).toEqual(['relay|direct', 'relay-corp|direct', 'name|direct', 'smtp|direct', 'smtp|corp', 'owa|corp']);
    expect(targets.filter((t) => t.target.spec.kind === 'stun').every((t) => t.options.proxy === undefined)).toBe(true);
    expect(targets.find((t) => t.key === 'relay|direct')?.target.spec).toEqual({ kind: 'stun', host: 'relay.example', port: 3478 });
  });
});
