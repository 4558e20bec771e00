/**
 * A real Alertmanager (Debian `prometheus-alertmanager`) on loopback, clustering off, whose
 * only receiver is a webhook: an HTTP server in the test that records every notification.
 */
import http from 'node:http';
import type net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { onFreePort } from './ports.js';
import { poll, tempDir, type ExitStatus } from './process.js';

/** One alert as Alertmanager's webhook (version 4) sends it. */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface WebhookMessage {
  version: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  alerts: WebhookAlert[];
}

export interface Webhook {
  url: string;
  messages: WebhookMessage[];
  /** Polls the received messages until one holds an alert `match` accepts; returns that alert. */
  waitForAlert(what: string, match: (alert: WebhookAlert) => boolean, timeoutMs?: number): Promise<WebhookAlert>;
  close(): Promise<void>;
}

export async function startWebhook(): Promise<Webhook> {
  const messages: WebhookMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      try {
        messages.push(JSON.parse(body) as WebhookMessage);
        res.writeHead(200).end();
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    messages,
    waitForAlert: (what, match, timeoutMs = 45_000) =>
      poll(what, () => messages.flatMap((m) => m.alerts).find(match), timeoutMs, 100).catch((e: unknown) => {
        throw new Error(`${String(e)}; received: ${JSON.stringify(messages.map((m) => m.alerts.map((a) => `${a.labels.alertname}:${a.status}`)))}`);
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface AlertmanagerServer {
  port: number;
  baseUrl: string;
  stderr(): string;
  stop(): Promise<ExitStatus>;
}

/** Groups per alert and target, and sends within a second of a change (test timing, not advice). */
export function alertmanagerConfig(webhookUrl: string): string {
  return [
    'route:',
    '  receiver: webhook',
    '  group_by: [alertname, target]',
    '  group_wait: 1s',
    '  group_interval: 1s',
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: webhook',
    '    webhook_configs:',
    `      - url: ${webhookUrl}`,
    '        send_resolved: true',
    '',
  ].join('\n');
}

export function startAlertmanager(webhookUrl: string): Promise<AlertmanagerServer> {
  return onFreePort((port) => startAlertmanagerOn(port, webhookUrl));
}

async function startAlertmanagerOn(port: number, webhookUrl: string): Promise<AlertmanagerServer> {
  // A temp dir per attempt: a daemon that exits removes its own.
  const tmp = tempDir('o365-alertmanager-');
  const configFile = join(tmp.dir, 'alertmanager.yml');
  writeFileSync(configFile, alertmanagerConfig(webhookUrl));
  const baseUrl = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${configFile}`,
      `--storage.path=${join(tmp.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip cluster, nothing listens beyond loopback.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    cwd: tmp.dir,
    cleanup: tmp.cleanup,
    readyUrl: `${baseUrl}/-/ready`,
    readyTimeoutMs: 60_000,
  });
  return { port, baseUrl, stderr: daemon.stderr, stop: daemon.stop };
}
