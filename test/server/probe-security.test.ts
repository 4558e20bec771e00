/**
 * /probe cannot be turned against the exporter itself, nor against a configured host on a
 * port it is not configured with. Request parsing first (every literal trick the WHATWG URL
 * parser folds into 127.0.0.1), then a running in-process exporter with a scripted DNS
 * server for a name that resolves to the exporter's own address.
 */
import type { Server } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { buildTargets, type ScheduledTarget } from '../../src/config/targets.js';
import { Exporter } from '../../src/exporter.js';
import { runProbe } from '../../src/probes/index.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { parseProbeRequest, ProbeRequestError } from '../../src/server/probe-request.js';
import { isSelfAddress, normalizeHost } from '../../src/server/self-target.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { tempDir } from '../helpers/process.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

const SELF = { port: 9365, localAddress: '127.0.0.1' };

const CONFIG = parseConfig(
  [
    'probe: {allowed_targets: ["*.office365.com", "*.example.test"]}',
    'targets:',
    '  - {name: web, url: "https://10.9.8.7/"}',
    '  - {name: smtp, tcp: "10.9.8.6:25"}',
    '  - {name: lookup, dns: "names.internal.test"}',
    '  - {name: loop, url: "http://127.0.0.1:9365/metrics"}',
    '',
  ].join('\n'),
  'inline',
);
let configured: ScheduledTarget[] = [];

/** The status and message parseProbeRequest ends with: 200 when it accepts the request. */
function outcome(target: string, module?: string): { status: number; message: string } {
  try {
    parseProbeRequest({ target, module }, undefined, CONFIG, configured, SELF);
    return { status: 200, message: '' };
  } catch (err) {
    if (!(err instanceof ProbeRequestError)) throw err;
    return { status: err.status, message: err.message };
  }
}

beforeAll(async () => {
  configured = await buildTargets(CONFIG);
});

describe('/probe request: the exporter itself', () => {
  const selfHosts = [
    'localhost', 'LOCALHOST.', 'api.localhost', '127.0.0.1', '127.0.0.1.', '127.9.9.9', '127.1', '2130706433', '0x7f.1', '0x7f000001',
    '0177.0.0.1', '017700000001', '0', '0.0.0.0', '[::1]', '[::]', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[0:0:0:0:0:ffff:7f00:1]',
    '[::ffff:0.0.0.0]', '[0000:0000:0000:0000:0000:0000:0000:0001]', hostname(),
  ];

  it.each(selfHosts)('%s on the exporter port is refused with the reason, as URL and as tcp host:port', (host) => {
    for (const [target, module] of [[`http://${host}:9365/metrics`, 'http'], [`https://${host}:9365/`, 'https'], [`${host}:9365`, 'tcp']] as const) {
      const res = outcome(target, module);
      expect(res.status, target).toBe(403);
      expect(res.message, target).toMatch(/^target .+:9365 is this exporter itself$/);
    }
  });

  it('normalizes hosts the way the URL parser does before any check', () => {
    expect(normalizeHost('2130706433')).toBe('127.0.0.1');
    expect(normalizeHost('0x7f.1')).toBe('127.0.0.1');
    expect(normalizeHost('[::ffff:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(normalizeHost('Outlook.Office365.COM')).toBe('outlook.office365.com');
    for (const bad of ['a@127.0.0.1', 'x/y', '1.2.3.256', '', 'a b', 'fe80::1%eth0']) expect(normalizeHost(bad), bad).toBeUndefined();
  });

  it('every address of a local interface counts as the exporter', () => {
    const addresses = Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((e) => e.address.replace(/%.*$/, '')));
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(isSelfAddress(address, SELF), address).toBe(true);
    for (const other of ['10.9.8.7', '52.96.0.1', '2603:1063::1', '::ffff:52.96.0.1']) expect(isSelfAddress(other, SELF), other).toBe(false);
  });

  it('a configured target that points at the exporter is refused by name too', () => {
    expect(outcome('loop')).toEqual({ status: 403, message: 'target 127.0.0.1:9365 is this exporter itself' });
  });

  it('the exporter port on another host, and loopback names on another port, are not "itself"', () => {
    expect(outcome('outlook.office365.com:9365', 'tcp').status).toBe(200);
    expect(outcome('https://outlook.office365.com:9365/').status).toBe(200);
    // Not itself, but not allowed either: the allowlist and the configured ports still apply.
    expect(outcome('127.0.0.1:9366', 'tcp')).toEqual({ status: 403, message: 'target 127.0.0.1:9366: host "127.0.0.1" is configured only on port 9365' });
    expect(outcome('127.0.0.2:9366', 'tcp')).toEqual({ status: 403, message: 'target host "127.0.0.2" is not in probe.allowed_targets nor a configured target' });
  });

  it('a tcp host:port carrying anything besides a host is a bad request', () => {
    for (const target of ['user@127.0.0.1:9365', 'a/b:443', '1.2.3.256:443']) {
      expect(outcome(target, 'tcp'), target).toEqual({ status: 400, message: expect.stringMatching(/is not a host name or IP address$/) });
    }
  });
});

describe('/probe request: configured hosts only on their configured port', () => {
  it('accepts the configured host:port, by URL or tcp, under any module', () => {
    expect(outcome('https://10.9.8.7/').status).toBe(200);
    expect(outcome('http://10.9.8.7:443/', 'http').status).toBe(200);
    expect(outcome('10.9.8.7:443', 'tcp').status).toBe(200);
    expect(outcome('10.9.8.6:25', 'tcp').status).toBe(200);
    expect(outcome('0x0a.9.8.6:25', 'tcp').status).toBe(200);
  });

  it('refuses the configured host on any other port, naming the configured one', () => {
    expect(outcome('10.9.8.7:22', 'tcp')).toEqual({ status: 403, message: 'target 10.9.8.7:22: host "10.9.8.7" is configured only on port 443' });
    expect(outcome('http://10.9.8.7/', 'http')).toEqual({ status: 403, message: 'target 10.9.8.7:80: host "10.9.8.7" is configured only on port 443' });
    expect(outcome('https://10.9.8.6/')).toEqual({ status: 403, message: 'target 10.9.8.6:443: host "10.9.8.6" is configured only on port 25' });
    expect(outcome('names.internal.test:443', 'tcp')).toEqual({ status: 403, message: 'target names.internal.test:443: host "names.internal.test" is configured only as a DNS target' });
  });

  it('a DNS probe has no port: a configured host is enough', () => {
    expect(outcome('names.internal.test', 'dns').status).toBe(200);
    expect(outcome('10.9.8.7', 'dns').status).toBe(200);
  });

  it('hosts matching probe.allowed_targets keep any port', () => {
    expect(outcome('smtp.office365.com:587', 'tcp').status).toBe(200);
    expect(outcome('https://a.example.test:8443/').status).toBe(200);
  });
});

describe('/probe on a running exporter', () => {
  const tmp = tempDir('o365-probe-security-');
  let dns: TestDnsServer | undefined;
  let web: TestServer | undefined;
  let exporter: Exporter | undefined;
  let server: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    web = await startHttpServer({ status: 200, body: 'ok' });
    dns = await startDnsServer({ 'self.example.test': { a: ['127.0.0.1'] }, 'mapped.example.test': { a: ['127.0.0.1'], aaaa: ['::ffff:127.0.0.1'] } });
    const configFile = join(tmp.dir, 'config.yml');
    writeFileSync(configFile, [
      `resolvers: ["127.0.0.1:${dns.resolver.port}"]`,
      'probe: {allowed_targets: ["*.example.test"]}',
      'defaults: {interval: 1h, timeout: 5s}',
      'targets: []',
      '',
    ].join('\n'));
    exporter = await Exporter.start({ configFile });
    const bound = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0);
    server = bound.server;
    port = bound.port;
  });

  afterAll(async () => {
    await exporter?.stop();
    if (server) await close(server);
    await web?.close();
    await dns?.close();
    tmp.cleanup();
  });

  async function probe(target: string, module: string): Promise<{ status: number; text: string }> {
    const res = await fetch(`http://127.0.0.1:${port}/probe?target=${encodeURIComponent(target)}&module=${module}`);
    return { status: res.status, text: await res.text() };
  }

  it('refuses its own listen address in every spelling, before connecting anywhere', async () => {
    for (const [target, module] of [[`http://127.0.0.1:${port}/probe?target=x`, 'http'], [`http://2130706433:${port}/`, 'http'], [`0x7f.1:${port}`, 'tcp'], [`[::ffff:127.0.0.1]:${port}`, 'tcp'], [`localhost:${port}`, 'tcp']] as const) {
      const res = await probe(target, module);
      expect(res.status, target).toBe(403);
      expect(res.text, target).toMatch(new RegExp(`^target .+:${port} is this exporter itself\\n$`));
    }
  });

  it('refuses an allowed name that resolves to its own address on its own port (asked through the configured resolver)', async () => {
    const before = dns?.queries.length ?? 0;
    expect(await probe(`http://self.example.test:${port}/metrics`, 'http')).toEqual({ status: 403, text: `target self.example.test:${port} resolves to 127.0.0.1, this exporter itself\n` });
    expect(dns?.queries.slice(before).map((q) => q.name)).toContain('self.example.test');
    expect((await probe(`mapped.example.test:${port}`, 'tcp')).status).toBe(403);
  });

  it('the same name on another port is probed normally', async () => {
    const res = await probe(`self.example.test:${web?.port}`, 'tcp');
    expect(res.status).toBe(200);
    expect(valueOf(parseExposition(res.text), 'probe_success')).toBe(1);
  });
});
