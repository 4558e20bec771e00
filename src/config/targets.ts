/**
 * From a validated Config to what the scheduler runs: one ScheduledTarget per target and
 * path (direct, or each proxy in `via`), with its ProbeOptions resolved from defaults.
 */
import { readFile } from 'node:fs/promises';
import type { ProbeOptions, ProbeTarget, TargetSpec } from '../probes/target.js';
import { ConfigError } from './load.js';
import type { Config, TargetConfig } from './schema.js';

export interface ScheduledTarget {
  /** Unique: name and path. */
  key: string;
  name: string;
  service: string;
  category: string;
  /** "direct" or a proxy name. */
  path: string;
  intervalSeconds: number;
  target: ProbeTarget;
  options: ProbeOptions;
  source: 'config' | 'discovery';
  /** Discovered targets: the Microsoft endpoint set they come from (for the published-range check). */
  endpointSetId?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

export async function buildTargets(config: Config, targets: TargetConfig[] = config.targets, source: ScheduledTarget['source'] = 'config'): Promise<ScheduledTarget[]> {
  const out: ScheduledTarget[] = [];
  // One string per CA file, not one per target (5,000 targets naming one file: 3.3 MiB).
  const cas = new Map<string, string>();
  for (const [index, t] of targets.entries()) {
    const file = t.tls?.ca_file;
    const ca = file ? (cas.get(file) ?? (await readCa(file, `targets[${index}].tls.ca_file`))) : undefined;
    if (file && ca) cas.set(file, ca);
    for (const path of pathsOf(t, config)) {
      out.push(scheduledTarget(config, t, path, ca, source));
    }
  }
  return out;
}

/**
 * STUN (UDP) and DNS probes cannot go through an HTTP CONNECT proxy: they run once, direct,
 * whatever `via` says, rather than publish a "proxy" path that is really direct.
 */
function pathsOf(t: TargetConfig, config: Config): string[] {
  if (t.stun !== undefined || t.dns !== undefined) return ['direct'];
  return t.via ?? config.defaults.via;
}

function scheduledTarget(config: Config, t: TargetConfig, path: string, ca: string | undefined, source: ScheduledTarget['source']): ScheduledTarget {
  const proxy = config.proxies.find((p) => p.name === path);
  const options: ProbeOptions = {
    timeoutSeconds: t.timeout ?? config.defaults.timeout,
    ipVersion: t.ip_version ?? config.defaults.ip_version,
    resolvers: config.resolvers,
    tls: { ca, insecureSkipVerify: t.tls?.insecure_skip_verify ?? false, serverName: t.tls?.server_name },
    http: { maxBodyBytes: config.defaults.max_body_bytes, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES },
    proxy: proxy ? { name: proxy.name, url: new URL(proxy.url) } : undefined,
    stun: { count: 10, spacingSeconds: 0.02 },
  };
  return {
    key: `${t.name}|${path}`,
    name: t.name,
    service: t.service,
    category: t.category,
    path,
    intervalSeconds: t.interval ?? config.defaults.interval,
    target: { name: t.name, spec: specOf(t) },
    options,
    source,
  };
}

export function specOf(t: TargetConfig): TargetSpec {
  if (t.url) return { kind: 'http', url: new URL(t.url), method: t.method, validStatusCodes: t.valid_status_codes, headers: t.headers };
  if (t.tcp) return { kind: 'tcp', host: t.tcp.host, port: t.tcp.port };
  if (t.stun) return { kind: 'stun', host: t.stun.host, port: t.stun.port };
  return { kind: 'dns', host: t.dns ?? '' };
}

async function readCa(file: string, where: string): Promise<string> {
  try {
    const pem = await readFile(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in file');
    return pem;
  } catch (err) {
    throw new ConfigError(file, [`${where}: cannot use CA file ${file}: ${(err as Error).message}`]);
  }
}
