/**
 * The monitoring lab the dashboard and alerting tests share: the built exporter probing
 * local targets through a scripted DNS server, scraped every second by a real Prometheus
 * that loads the shipped rules files unchanged, optionally sending to a real Alertmanager.
 *
 * Targets (all with site="lab"):
 * - outlook.lab.test (Exchange, Optimize) and teams-lab (Teams, Allow): a healthy HTTPS server
 *   with a certificate from the test CA, reached by name (DNS phase, CNAME chain ending in
 *   lhr-efz.ms-acdc.office.com, London); its certificate can be swapped for one from a foreign CA.
 * - sharepoint-down (SharePoint, Optimize): a port that refuses connections.
 * - teams-relay (Teams, Optimize): STUN to a real STUN server (coturn) on loopback.
 * Diagnostics: the test CA plays Microsoft's CA (diagnostics.tls_issuers), and the DNS server
 * answers the who-am-i name whoami.lab.test with 127.0.0.1.
 * outlook.lab.test is also probed through "corp", a CONNECT proxy that adds 100 ms (path="corp").
 *
 * Endpoint discovery runs against a local fake of Microsoft's web service publishing one
 * endpoint set: outlook.lab.test with the range 127.0.0.0/8. The discovered target has the
 * hand-written one's name, so the hand settings win (nothing extra is probed), and the
 * hand-written target gets its published-range check.
 */
import https from 'node:https';
import type net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RULE_FILES } from '../dashboards/promql.js';
import { startConnectProxy } from './connect-proxy.js';
import { startCoturn } from './coturn.js';
import { startAlertmanager, startWebhook, type AlertmanagerServer, type Webhook } from './alertmanager.js';
import { startFakeWebService } from './fake-webservice.js';
import { startDnsServer, type TestDnsServer } from './dns-server.js';
import { makePki, type KeyPair, type Pki } from './pki.js';
import { startExporter, tempDir, type ExporterProcess } from './process.js';
import { startPrometheus, type PrometheusServer } from './prometheus.js';
import { refusedPort } from './servers.js';

export const LAB = { site: 'lab', healthy: 'outlook.lab.test', teams: 'teams-lab', relay: 'teams-relay', down: 'sharepoint-down', proxy: 'corp' } as const;

export interface SwitchableHttpsServer {
  port: number;
  /** New handshakes present this certificate (open connections are closed). */
  useCertificate(pair: KeyPair): void;
  close(): Promise<void>;
}

async function startSwitchableHttps(pair: KeyPair): Promise<SwitchableHttpsServer> {
  const sockets = new Set<net.Socket>();
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'));
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('error', () => undefined).on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => undefined); // the exporter rejecting a foreign certificate
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const dropConnections = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    port,
    useCertificate: (p) => {
      server.setSecureContext({ cert: p.cert, key: p.key });
      dropConnections();
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Lab {
  pki: Pki;
  dns: TestDnsServer;
  https: SwitchableHttpsServer;
  exporter: ExporterProcess;
  prometheus: PrometheusServer;
  alertmanager?: AlertmanagerServer;
  webhook?: Webhook;
  stop(): Promise<void>;
}

/** CN of the test CA (test/helpers/pki.ts). */
const LAB_ISSUER = 'o365-exporter Test CA';
/** Answered by the lab DNS server with 127.0.0.1, as whoami.akamai.net answers with the asking resolver's address. */
const LAB_WHOAMI = 'whoami.lab.test';

function exporterConfig(caFile: string, dnsPort: number, httpsPort: number, downPort: number, proxyUrl: string, webService: string, stunPort: number): string {
  const target = (name: string, service: string, category: string, host: string, port: number, via = ['direct']) => [
    `  - name: ${name}`,
    `    url: https://${host}:${port}/`,
    `    service: ${service}`,
    `    category: ${category}`,
    `    tls: {ca_file: ${JSON.stringify(caFile)}, server_name: localhost}`,
    `    via: [${via.join(', ')}]`,
  ];
  return [
    `labels: {site: ${LAB.site}}`,
    // Paris: about 340 km from a London front door.
    'location: {lat: 48.8566, lon: 2.3522}',
    // The lab's certificates come from the test CA: it plays Microsoft's CA, so the healthy lab is not
    // "intercepted" and a certificate from pki.inspectionCa is.
    `diagnostics: {tls_issuers: [${JSON.stringify(LAB_ISSUER)}], whoami: {name: ${LAB_WHOAMI}, interval: 1m}}`,
    `resolvers: ["127.0.0.1:${dnsPort}"]`,
    `proxies: [{name: ${LAB.proxy}, url: ${JSON.stringify(proxyUrl)}}]`,
    // Short interval for quick data; a timeout long enough for a busy CI machine.
    'defaults: {interval: 1s, timeout: 5s}',
    'targets:',
    ...target(LAB.healthy, 'Exchange', 'Optimize', 'outlook.lab.test', httpsPort, ['direct', LAB.proxy]),
    ...target(LAB.teams, 'Teams', 'Allow', 'teams.lab.test', httpsPort),
    ...target(LAB.down, 'SharePoint', 'Optimize', 'sharepoint.lab.test', downPort),
    `  - {name: ${LAB.relay}, stun: "127.0.0.1:${stunPort}", service: Teams, category: Optimize}`,
    `discovery: {web_service: ${JSON.stringify(webService)}, interval: 5m, categories: [Optimize]}`,
    '',
  ].join('\n');
}

export const LAB_LIST_VERSION = '2099010100';
/** Shaped like a set of Microsoft's list (see ../shared/fixtures/m365-endpoints/). */
const LAB_ENDPOINT_SET = {
  id: 1, serviceArea: 'Exchange', serviceAreaDisplayName: 'Exchange Online', urls: ['outlook.lab.test'], ips: ['127.0.0.0/8'],
  tcpPorts: '443', expressRoute: true, category: 'Optimize', required: true,
};

function prometheusTopLevel(alertmanagerPort?: number): string {
  const rules = ['rule_files:', ...RULE_FILES.map((f) => `  - ${JSON.stringify(f)}`)];
  const alerting = alertmanagerPort === undefined ? [] : ['alerting:', '  alertmanagers:', '    - static_configs:', `        - targets: ["127.0.0.1:${alertmanagerPort}"]`];
  return [...rules, ...alerting, ''].join('\n');
}

/** Starts everything; on any failure stops what was started and rethrows. */
export async function startLab(options: { alerting?: boolean } = {}): Promise<Lab> {
  const stops: (() => Promise<unknown> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s();
    stops.length = 0;
  };
  try {
    const pki = makePki();
    stops.push(() => pki.cleanup());
    const tmp = tempDir('o365-lab-');
    stops.push(() => tmp.cleanup());
    const caFile = join(tmp.dir, 'ca.pem');
    writeFileSync(caFile, pki.ca.cert);
    const dns = await startDnsServer({
      'outlook.lab.test': { cname: 'outlook.ha.lab.test' },
      // Microsoft's naming of the front door edge: the IATA code of its city (London).
      'outlook.ha.lab.test': { cname: 'lhr-efz.ms-acdc.office.com' },
      'teams.lab.test': { cname: 'lhr-efz.ms-acdc.office.com' },
      'lhr-efz.ms-acdc.office.com': { a: ['127.0.0.1'] },
      'sharepoint.lab.test': { a: ['127.0.0.1'] },
      [LAB_WHOAMI]: { a: ['127.0.0.1'] },
    });
    stops.push(() => dns.close());
    const server = await startSwitchableHttps(pki.valid);
    stops.push(() => server.close());
    // The proxy resolves target names itself, as a real one does.
    const proxy = await startConnectProxy({ delayMs: 100, hosts: { 'outlook.lab.test': '127.0.0.1' } });
    stops.push(() => proxy.close());
    const webService = await startFakeWebService();
    stops.push(() => webService.close());
    webService.publish('Worldwide', LAB_LIST_VERSION, [LAB_ENDPOINT_SET]);
    const coturn = await startCoturn();
    stops.push(() => coturn.stop());
    const config = exporterConfig(caFile, dns.resolver.port, server.port, await refusedPort(), proxy.url().href, webService.url, coturn.port);
    const exporter = await startExporter(config, { args: [`--storage.path=${join(tmp.dir, 'data')}`] });
    stops.push(() => exporter.stop());
    let webhook: Webhook | undefined;
    let alertmanager: AlertmanagerServer | undefined;
    if (options.alerting) {
      const hook = await startWebhook();
      webhook = hook;
      stops.push(() => hook.close());
      const am = await startAlertmanager(hook.url);
      alertmanager = am;
      stops.push(() => am.stop());
    }
    const scrape = ['  - job_name: o365', '    static_configs:', `      - targets: ["127.0.0.1:${exporter.port}"]`].join('\n');
    const prometheus = await startPrometheus(scrape, '  scrape_interval: 1s\n  evaluation_interval: 1s\n', prometheusTopLevel(alertmanager?.port));
    stops.push(() => prometheus.stop());
    return { pki, dns, https: server, exporter, prometheus, alertmanager, webhook, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
