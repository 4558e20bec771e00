/**
 * Turns `/probe?target=...&module=...` into a probe to run, or a 400/403 with the reason.
 * A configured target may be named directly (`target=exchange`) and runs with its own settings.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Config, ModuleConfig } from '../config/schema.js';
import { splitHostPort } from '../config/schema.js';
import { DEFAULT_MAX_HEADER_BYTES, type ScheduledTarget } from '../config/targets.js';
import type { ProbeKind } from '../metrics/blackbox.js';
import type { ProbeOptions, ProbeTarget, TargetSpec } from '../probes/target.js';
import { hostAllowed } from './allowlist.js';
import { displayHostPort, normalizeHost, selfTargetProblem, specHostPort, type SelfAddress } from './self-target.js';

export const BUILTIN_MODULES: Record<string, ModuleConfig> = {
  https: { prober: 'https', method: 'GET' },
  http: { prober: 'http', method: 'GET' },
  tcp: { prober: 'tcp', method: 'GET' },
  dns: { prober: 'dns', method: 'GET' },
};

export interface ProbeRequest {
  target: ProbeTarget;
  options: ProbeOptions;
  kind: ProbeKind;
  /** The module's tls.ca_file, read by withModuleCa() before the probe runs. */
  caFile?: string;
}

export class ProbeRequestError extends Error {
  constructor(
    readonly status: 400 | 403,
    message: string,
  ) {
    super(message);
  }
}

/** Seconds kept back from Prometheus' scrape timeout so the answer arrives in time. */
const SCRAPE_TIMEOUT_OFFSET = 0.5;

export function parseProbeRequest(
  query: { target?: unknown; module?: unknown },
  scrapeTimeoutHeader: string | undefined,
  config: Config,
  configured: ScheduledTarget[],
  /** The exporter's own listener: /probe may not point there. */
  self?: SelfAddress,
): ProbeRequest {
  const targetText = typeof query.target === 'string' ? query.target.trim() : '';
  if (!targetText) throw new ProbeRequestError(400, 'missing "target" parameter');
  const named = configured.find((t) => t.name === targetText && t.path === 'direct');
  const moduleName = typeof query.module === 'string' && query.module ? query.module : named ? undefined : 'https';
  const timeout = scrapeTimeout(scrapeTimeoutHeader);
  if (named && moduleName === undefined) {
    rejectSelf(named.target.spec, self);
    return { target: named.target, options: withTimeout(named.options, timeout), kind: kindOfSpec(named.target.spec) };
  }
  const module = lookup(config.modules, moduleName) ?? lookup(BUILTIN_MODULES, moduleName);
  if (!module) throw new ProbeRequestError(400, `unknown module "${moduleName}" (known: ${[...Object.keys(BUILTIN_MODULES), ...Object.keys(config.modules)].join(', ')})`);
  const spec = specFor(module, targetText);
  rejectSelf(spec, self);
  checkAllowed(spec, config, configured);
  return { target: { name: targetText, spec }, options: moduleOptions(module, config, timeout), kind: kindOfSpec(spec), caFile: module.tls?.ca_file };
}

function rejectSelf(spec: TargetSpec, self: SelfAddress | undefined): void {
  const { host, port } = specHostPort(spec);
  const problem = selfTargetProblem(host, port, self);
  if (problem) throw new ProbeRequestError(403, problem);
}

/**
 * A host matching probe.allowed_targets may be probed on any port; a configured target's
 * host only on the port it is configured with (a DNS probe has no port: the host suffices).
 */
function checkAllowed(spec: TargetSpec, config: Config, configured: ScheduledTarget[]): void {
  const { host, port } = specHostPort(spec);
  if (hostAllowed(host, config.probe.allowed_targets)) return;
  const sameHost = configured.map((t) => specHostPort(t.target.spec)).filter((t) => t.host === host);
  if (sameHost.some((t) => port === undefined || t.port === port)) return;
  if (sameHost.length === 0) throw new ProbeRequestError(403, `target host "${host}" is not in probe.allowed_targets nor a configured target`);
  const ports = [...new Set(sameHost.flatMap((t) => (t.port === undefined ? [] : [t.port])))].sort((a, b) => a - b);
  const where = ports.length ? `only on port ${ports.join(', ')}` : 'only as a DNS target';
  throw new ProbeRequestError(403, `target ${displayHostPort(host, port ?? 0)}: host "${host}" is configured ${where}`);
}

/** Own keys only: `module=__proto__` or `module=constructor` is an unknown module, not Object's. */
function lookup(modules: Record<string, ModuleConfig>, name: string | undefined): ModuleConfig | undefined {
  return name !== undefined && Object.hasOwn(modules, name) ? modules[name] : undefined;
}

/** Adds the PEM of the module's tls.ca_file (checked when the config was loaded) to the options. */
export async function withModuleCa(request: ProbeRequest): Promise<ProbeRequest> {
  if (!request.caFile) return request;
  const ca = await readFile(request.caFile, 'utf8');
  return { ...request, options: { ...request.options, tls: { ...request.options.tls, ca } } };
}

function specFor(module: ModuleConfig, target: string): TargetSpec {
  if (module.prober === 'tcp') {
    const hp = splitHostPort(target);
    if (typeof hp === 'string') throw new ProbeRequestError(400, `target: ${hp}`);
    // Probe the canonical form (2130706433 -> 127.0.0.1), the one the checks saw.
    const host = normalizeHost(hp.host);
    if (!host) throw new ProbeRequestError(400, `target: "${hp.host}" is not a host name or IP address`);
    return { kind: 'tcp', host, port: hp.port };
  }
  if (module.prober === 'dns') {
    if (!/^[A-Za-z0-9.-]+$/.test(target)) throw new ProbeRequestError(400, `target: "${target}" is not a DNS name`);
    return { kind: 'dns', host: target };
  }
  const withScheme = /^[a-z]+:\/\//i.test(target) ? target : `${module.prober}://${isIP(target) === 6 ? `[${target}]` : target}/`;
  if (!URL.canParse(withScheme)) throw new ProbeRequestError(400, `target: "${target}" is not a URL or host`);
  const url = new URL(withScheme);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ProbeRequestError(400, `target: scheme ${url.protocol} not supported`);
  if (url.username || url.password) throw new ProbeRequestError(400, 'target: credentials in the URL are not accepted');
  return { kind: 'http', url, method: module.method, validStatusCodes: module.valid_status_codes, headers: {} };
}

function moduleOptions(module: ModuleConfig, config: Config, timeout: number | undefined): ProbeOptions {
  const own = module.timeout ?? config.defaults.timeout;
  return {
    timeoutSeconds: timeout === undefined ? own : Math.min(own, timeout),
    ipVersion: module.ip_version ?? config.defaults.ip_version,
    resolvers: config.resolvers,
    tls: { insecureSkipVerify: module.tls?.insecure_skip_verify ?? false, serverName: module.tls?.server_name },
    http: { maxBodyBytes: config.defaults.max_body_bytes, maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES },
  };
}

function withTimeout(options: ProbeOptions, timeout: number | undefined): ProbeOptions {
  return timeout === undefined ? options : { ...options, timeoutSeconds: Math.min(options.timeoutSeconds, timeout) };
}

function scrapeTimeout(header: string | undefined): number | undefined {
  const value = Number(header);
  if (!header || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.max(0.1, value - SCRAPE_TIMEOUT_OFFSET);
}

function kindOfSpec(spec: TargetSpec): ProbeKind {
  return spec.kind === 'http' ? 'http' : spec.kind === 'dns' ? 'dns' : 'tcp';
}
