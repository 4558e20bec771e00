/**
 * The one schema of the config file: defaults, strict validation (unknown keys are errors)
 * and the TypeScript types, all from here. docs/configuration.md and the JSON Schema are
 * generated from it too, so they cannot drift.
 */
import { z } from 'zod';
import { INSTANCES, SERVICE_AREAS } from '../endpoints/types.js';
import { cityByName } from '../diagnostics/frontdoor-sites.js';
import { DEFAULT_TLS_ISSUERS } from '../diagnostics/interception.js';
import { parseDuration } from './duration.js';

const duration = (what: string) =>
  z
    .string({ error: 'expected a duration such as 30s (a bare number has no unit)' })
    .describe(`${what}. A duration such as 500ms, 30s, 5m, 1h.`)
    .transform((text, ctx) => {
      const seconds = parseDuration(text);
      if (seconds === undefined || seconds <= 0) {
        ctx.addIssue({ code: 'custom', message: `invalid duration "${text}" (use e.g. 500ms, 30s, 5m, 1h)` });
        return z.NEVER;
      }
      return seconds;
    });

const hostPort = (defaultPort: number | undefined) =>
  z.string().transform((text, ctx) => {
    const parsed = splitHostPort(text, defaultPort);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: parsed });
      return z.NEVER;
    }
    return parsed;
  });

/** "host:port", "[v6]:port", or a bare host when a default port exists. Returns an error text. */
export function splitHostPort(text: string, defaultPort?: number): { host: string; port: number } | string {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(text.trim()) ?? /^([0-9a-fA-F:]+)$/.exec(text.trim());
  if (!match) return `"${text}" is not host:port`;
  const host = match[1] ?? match[2] ?? '';
  const portText = match[3];
  if (portText === undefined && defaultPort === undefined) return `"${text}" needs a port (host:port)`;
  const port = portText === undefined ? (defaultPort as number) : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return `port ${portText} out of range 1-65535`;
  return { host, port };
}

const ipVersion = z.enum(['ipv4', 'ipv6', 'prefer_ipv4', 'prefer_ipv6']).describe('Address family to resolve and connect with.');
const category = z.enum(['Optimize', 'Allow', 'Default']).describe("Microsoft's endpoint category.");
const statusCodes = z.array(z.number().int().min(100).max(599)).min(1).describe('HTTP status codes that count as success.');

const tlsSchema = z
  .strictObject({
    ca_file: z.string().optional().describe('PEM file of extra CAs trusted for this target, added to the system CAs; a relative path is relative to the config file.'),
    server_name: z.string().optional().describe('SNI and name to verify, when not the URL host.'),
    insecure_skip_verify: z.boolean().default(false).describe('Do not verify the certificate (the chain is still recorded).'),
  })
  .describe('TLS settings.');

const httpUrl = z
  .string()
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), 'must be an http:// or https:// URL')
  .describe('URL to request; https runs the whole waterfall.');

export const defaultsSchema = z
  .strictObject({
    interval: duration('Time between two probes of a target').prefault('30s'),
    timeout: duration('Longest a probe may take').prefault('10s'),
    ip_version: ipVersion.default('prefer_ipv4'),
    via: z.array(z.string()).min(1).default(['direct']).describe('Paths to probe through: "direct" and/or names from proxies.'),
    max_body_bytes: z.number().int().positive().default(1_048_576).describe('Body bytes read before transfer stops.'),
  })
  .describe('Defaults for every target.');

const targetCommon = {
  name: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -').describe('Becomes the `target` label.'),
  service: z.string().default('Common').describe('Exchange | SharePoint | Teams | Common | free text; the `service` label.'),
  category: category.default('Default'),
  interval: duration('Override of defaults.interval').optional(),
  timeout: duration('Override of defaults.timeout').optional(),
  ip_version: ipVersion.optional(),
  via: z.array(z.string()).min(1).optional().describe('Override of defaults.via.'),
};

export const targetSchema = z
  .strictObject({
    ...targetCommon,
    url: httpUrl.optional(),
    tcp: hostPort(undefined).optional().describe('host:port for a dns + TCP connect probe.'),
    dns: z.string().min(1).optional().describe('A name to resolve (DNS phase only).'),
    stun: hostPort(3478).optional().describe('host[:port] of a STUN server (Teams relay) for the UDP probe.'),
    method: z.enum(['GET', 'HEAD']).default('GET'),
    headers: z.record(z.string(), z.string()).default({}).describe('Extra request headers.'),
    valid_status_codes: statusCodes.optional(),
    tls: tlsSchema.optional(),
  })
  .superRefine((t, ctx) => {
    const kinds = (['url', 'tcp', 'dns', 'stun'] as const).filter((k) => t[k] !== undefined);
    if (kinds.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `exactly one of url, tcp, dns, stun is required (found ${kinds.length ? kinds.join(', ') : 'none'})` });
    }
  })
  .describe('A probe target.');

export const moduleSchema = z
  .strictObject({
    prober: z.enum(['https', 'http', 'tcp', 'dns']).describe('Probe kind for /probe?module=<name>.'),
    timeout: duration('Longest a probe may take').optional(),
    ip_version: ipVersion.optional(),
    method: z.enum(['GET', 'HEAD']).default('GET'),
    valid_status_codes: statusCodes.optional(),
    tls: tlsSchema.optional(),
  })
  .describe('A module for the multi-target /probe endpoint.');

export const proxySchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_-]+$/).refine((n) => n !== 'direct', '"direct" is reserved'),
    url: z.string().refine((t) => URL.canParse(t) && new URL(t).protocol === 'http:', 'must be an http:// proxy URL'),
  })
  .describe('An explicit HTTP proxy (CONNECT) to compare against direct egress.');

/** Microsoft asks for the version to be polled at most hourly; 5 minutes is the floor here. */
export const MIN_DISCOVERY_INTERVAL_SECONDS = 300;

export const discoverySchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Set false to keep the block but stop discovery.'),
    instance: z.enum(INSTANCES).default('Worldwide').describe('Microsoft 365 cloud whose endpoint list is used.'),
    tenant: z.string().regex(/^[a-z0-9-]+$/i).optional().describe('Tenant filled into tenant URLs (*.sharepoint.com -> <tenant>.sharepoint.com, <tenant>-my.sharepoint.com); default: the top-level tenant.'),
    categories: z.array(category).min(1).default(['Optimize', 'Allow']).describe('Endpoint categories to probe.'),
    service_areas: z.array(z.enum(SERVICE_AREAS)).min(1).optional().describe('Service areas to ask for (Common is always included); default: what the web service returns.'),
    required_only: z.boolean().default(false).describe('Only endpoint sets marked required.'),
    no_ipv6: z.boolean().default(false).describe('Ask the web service to leave out IPv6 ranges.'),
    teams_relay: z
      .string()
      .regex(/^$|^[A-Za-z0-9.-]+$/, 'a host name, or "" to not probe the Teams media sets')
      .default('world.tr.teams.microsoft.com')
      .describe('STUN relay probed for the IP-and-UDP-only sets (Teams media, set 11), its address checked against their ranges; "" turns it off.'),
    web_service: httpUrl.default('https://endpoints.office.com').describe('Base URL of the IP Address and URL web service.'),
    interval: duration('How often the list version is checked')
      .prefault('1h')
      .refine((s) => s >= MIN_DISCOVERY_INTERVAL_SECONDS, 'must be at least 5m (Microsoft asks for hourly polling)'),
  })
  .describe('Targets from the Microsoft 365 IP Address and URL web service. Absent: no discovery.');

/** `{lat, lon}`, or `{city}` from the front door sites table; the output always has lat and lon. */
export const locationSchema = z
  .strictObject({
    lat: z.number().min(-90).max(90).optional(),
    lon: z.number().min(-180).max(180).optional(),
    city: z.string().min(1).optional().describe('A city of the front door sites table (e.g. London, Frankfurt, New York), instead of lat and lon.'),
  })
  .transform((loc, ctx) => {
    if (loc.city === undefined) {
      if (loc.lat !== undefined && loc.lon !== undefined) return { lat: loc.lat, lon: loc.lon };
      ctx.addIssue({ code: 'custom', message: 'needs both lat and lon, or a city' });
      return z.NEVER;
    }
    const found = cityByName(loc.city);
    if (loc.lat !== undefined || loc.lon !== undefined || !found) {
      const message = found ? 'give either city or lat and lon, not both' : `unknown city "${loc.city}" (not in the front door sites table): give lat and lon instead`;
      ctx.addIssue({ code: 'custom', path: ['city'], message });
      return z.NEVER;
    }
    return { lat: found.lat, lon: found.lon, city: found.city };
  })
  .describe("The site's location, for front door distance.");

export const diagnosticsSchema = z
  .strictObject({
    tls_issuers: z
      .array(z.string().min(1))
      .min(1)
      .default([...DEFAULT_TLS_ISSUERS])
      .describe('Issuer name patterns (`*` matches anything, case-insensitive) of the CAs Microsoft 365 certificates come from; a leaf certificate issued by anything else counts as TLS interception.'),
    whoami: z
      .strictObject({
        name: z.string().min(1).default('whoami.akamai.net').describe('A name whose authoritative server answers with the address of the resolver asking (A record).'),
        interval: duration('How often each resolver is asked').prefault('5m'),
      })
      .optional()
      .describe('DNS resolver identity ("who am I") check through the configured resolvers. Absent: off.'),
    score_window: duration('Window of recent results the network assessment score is computed over').prefault('3d'),
  })
  .describe('Microsoft 365 connectivity diagnostics: TLS interception, resolver identity, network score.');

export const configSchema = z
  .strictObject({
    labels: z
      .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'not a Prometheus label name'), z.string())
      .default({})
      .describe('Constant labels on every series, e.g. {site: hq}.'),
    tenant: z.string().regex(/^[a-z0-9-]+$/i).optional().describe('Microsoft 365 tenant name (contoso in contoso.sharepoint.com).'),
    resolvers: z.array(hostPort(53)).default([]).describe('DNS resolvers (host[:port]); empty means the nameservers of /etc/resolv.conf. Every name is asked of a resolver (/etc/hosts is not read): the dns phase is the time a resolver took to answer.'),
    location: locationSchema.optional(),
    defaults: defaultsSchema.prefault({}),
    scheduler: z
      .strictObject({
        max_concurrency: z.number().int().positive().default(64).describe('Probes running at once, at most.'),
        probe_threads: z
          .number()
          .int()
          .min(0)
          .max(16)
          .default(0)
          .describe(
            'Worker threads that run the probes (scheduled and /probe); 0 runs them on the main thread. Worth it from a few hundred probes per second (thousands of targets): see docs/deployment.md, Sizing.',
          ),
      })
      .prefault({}),
    probe: z
      .strictObject({
        allowed_targets: z
          .array(z.string())
          .default(['*.office365.com', '*.office.com', '*.microsoft.com', '*.microsoftonline.com', '*.sharepoint.com', '*.live.com', '*.lync.com', '*.skype.com', '*.teams.microsoft.com', '*.office.net', '*.msocdn.com'])
          .describe('Host patterns /probe may be pointed at (plus configured targets).'),
        max_concurrent: z.number().int().positive().default(10).describe('On-demand probes at once; beyond: 429.'),
      })
      .prefault({}),
    proxies: z.array(proxySchema).default([]),
    modules: z.record(z.string().regex(/^[A-Za-z0-9_-]+$/), moduleSchema).default({}),
    targets: z.array(targetSchema).default([]),
    discovery: discoverySchema.optional(),
    diagnostics: diagnosticsSchema.prefault({}),
  })
  .superRefine((c, ctx) => {
    const seen = new Map<string, number>();
    c.targets.forEach((t, i) => {
      const first = seen.get(t.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `duplicate target name "${t.name}" (also targets[${first}])` });
      else seen.set(t.name, i);
    });
    const proxyNames = new Set(['direct', ...c.proxies.map((p) => p.name)]);
    const checkVia = (via: string[] | undefined, path: (string | number)[]) =>
      via?.forEach((v, i) => {
        if (!proxyNames.has(v)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown path "${v}" (not "direct" nor a proxies[].name)` });
      });
    checkVia(c.defaults.via, ['defaults', 'via']);
    c.targets.forEach((t, i) => checkVia(t.via, ['targets', i, 'via']));
  });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type TargetConfig = z.output<typeof targetSchema>;
export type ModuleConfig = z.output<typeof moduleSchema>;
export type DiscoveryConfig = z.output<typeof discoverySchema>;
export type DiagnosticsConfig = z.output<typeof diagnosticsSchema>;
