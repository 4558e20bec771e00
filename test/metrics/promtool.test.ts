/**
 * `promtool check metrics` on a real scrape of the running exporter (built dist/) whose
 * targets are local peers: an HTTPS server with the test CA, a refused port and the test
 * DNS server, so TLS, HTTP, DNS and failure series are all present. It must print nothing.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { parseExposition, select } from '../helpers/exposition.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, startExporter, tempDir, type ExporterProcess } from '../helpers/process.js';
import { refusedPort, startHttpsServer, type TestServer } from '../helpers/servers.js';

let pki: Pki | undefined;
let https: TestServer | undefined;
let dns: TestDnsServer | undefined;
let exporter: ExporterProcess | undefined;
const tmp = tempDir('o365-promtool-');

beforeAll(async () => {
  pki = makePki();
  https = await startHttpsServer(pki.valid, { status: 200, body: 'hello' });
  dns = await startDnsServer({ 'o365.test': { cname: 'front.o365.test' }, 'front.o365.test': { a: ['127.0.0.1'] } });
  const caFile = join(tmp.dir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  exporter = await startExporter(
    [
      'labels: {site: test}',
      `resolvers: ["127.0.0.1:${dns.resolver.port}"]`,
      'defaults: {interval: 1s, timeout: 2s}',
      'targets:',
      `  - {name: web, url: "https://127.0.0.1:${https.port}/", service: Exchange, category: Optimize, tls: {ca_file: "${caFile}"}}`,
      `  - {name: refused, tcp: "127.0.0.1:${await refusedPort()}"}`,
      '  - {name: names, dns: o365.test}',
      '',
    ].join('\n'),
  );
});

afterAll(async () => {
  await exporter?.stop();
  await https?.close();
  await dns?.close();
  pki?.cleanup();
  tmp.cleanup();
});

describe('promtool check metrics', () => {
  it('finds nothing to complain about in a real scrape', async () => {
    const url = `${exporter?.baseUrl}/metrics`;
    // Wait until every kind of series is there, so promtool sees them all.
    const body = await poll('tls, http, dns and failure series', async () => {
      const text = await (await fetch(url)).text();
      const series = parseExposition(text);
      const present = ['o365_tls_info', 'o365_http_status_code', 'o365_dns_answer_info', 'o365_probe_failures_total'].every((n) => select(series, n).length > 0);
      return present ? text : undefined;
    });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
    const series = parseExposition(body);
    expect(select(series, 'o365_probe_success', { target: 'web', site: 'test' })[0]?.value).toBe(1);
    expect(select(series, 'o365_dns_answer_info', { target: 'names' })[0]?.labels.cname_tail).toBe('front.o365.test');
    // The default process and Node.js metrics are there too.
    expect(select(series, 'process_cpu_user_seconds_total').length).toBe(1);
    expect(select(series, 'nodejs_eventloop_lag_seconds').length).toBe(1);
  });
});
