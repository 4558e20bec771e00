/** The exporters' config files for each scenario, as YAML text. */
import { FAR_HOST, LOCAL_SERVER_NAME } from './certs.js';

export const LOCAL_PORT = 8443;
export const O365_MODULE_FAR = 'bench_far';
export const O365_MODULE_LOCAL = 'bench_local';
export const BLACKBOX_MODULE_FAR = 'http_far';
export const BLACKBOX_MODULE_LOCAL = 'http_local';

/** The i-th local target's address: 127.1.x.y, 250 per /24, so 5,000 targets are 5,000 addresses. */
export function localAddress(i: number): string {
  return `127.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export function localUrl(i: number): string {
  return `https://${localAddress(i)}:${LOCAL_PORT}/`;
}

export interface O365ConfigOptions {
  caFile: string;
  /** Scheduled local targets (0: /probe only). */
  targets: number;
  intervalSeconds: number;
  maxConcurrency?: number;
  /** scheduler.probe_threads; absent: the config's default. */
  probeThreads?: number;
}

export function o365Config({ caFile, targets, intervalSeconds, maxConcurrency = 64, probeThreads }: O365ConfigOptions): string {
  const lines = [
    'defaults:',
    `  interval: ${intervalSeconds}s`,
    '  timeout: 10s',
    '  ip_version: ipv4',
    'scheduler:',
    `  max_concurrency: ${maxConcurrency}`,
    ...(probeThreads === undefined ? [] : [`  probe_threads: ${probeThreads}`]),
    'probe:',
    `  allowed_targets: ["${FAR_HOST}", "127.0.0.1", "${LOCAL_SERVER_NAME}"]`,
    '  max_concurrent: 64',
    'modules:',
    `  ${O365_MODULE_FAR}: { prober: https, timeout: 10s, ip_version: ipv4 }`,
    `  ${O365_MODULE_LOCAL}: { prober: https, timeout: 10s, ip_version: ipv4, tls: { server_name: ${LOCAL_SERVER_NAME} } }`,
    targets > 0 ? 'targets:' : 'targets: []',
  ];
  for (let i = 0; i < targets; i++) {
    lines.push(`  - { name: t${String(i).padStart(5, '0')}, url: "${localUrl(i)}", tls: { server_name: ${LOCAL_SERVER_NAME}, ca_file: "${caFile}" } }`);
  }
  return `${lines.join('\n')}\n`;
}

export function blackboxConfig(caFile: string): string {
  const module = (serverName?: string) => [
    '    prober: http',
    '    timeout: 10s',
    '    http:',
    '      preferred_ip_protocol: ip4',
    '      ip_protocol_fallback: false',
    '      tls_config:',
    `        ca_file: "${caFile}"`,
    ...(serverName ? [`        server_name: ${serverName}`] : []),
  ];
  return ['modules:', `  ${BLACKBOX_MODULE_FAR}:`, ...module(), `  ${BLACKBOX_MODULE_LOCAL}:`, ...module(LOCAL_SERVER_NAME), ''].join('\n');
}
