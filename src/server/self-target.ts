/**
 * Keeps /probe from being pointed at the exporter itself (a request loop: /probe asking
 * /probe, or a way to reach endpoints the caller could not reach directly).
 *
 * "Itself" is the port the request came in on, on any address that reaches this host:
 * loopback (127.0.0.0/8, ::1), the unspecified addresses (0.0.0.0/8, ::, which Linux
 * connects to the local host), IPv4-compatible ::/96, IPv4-mapped forms of all of these
 * (net.BlockList matches ::ffff:a.b.c.d against the IPv4 rules), every address of a local
 * interface, and the names localhost, *.localhost and this host's name. Hosts are
 * compared after WHATWG URL normalization, so 2130706433, 0x7f.1, 0177.0.0.1 and 127.1
 * are all 127.0.0.1. What this cannot see: an address that reaches us through NAT or a
 * port forward, and a name whose DNS answer changes between the check and the probe's own
 * lookup (see docs/security.md).
 */
import { BlockList, isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { resolveHost } from '../probes/dns.js';
import type { ProbeOptions, TargetSpec } from '../probes/target.js';

/** Where the request that asks for a probe arrived: the exporter's own listener. */
export interface SelfAddress {
  port: number;
  /** The local address of the request's socket (may be IPv4-mapped). */
  localAddress?: string;
}

/**
 * The WHATWG URL parser's form of a host (lower case, IPv4 numbers canonical, IPv6
 * compressed, no trailing dot on IPv4), without IPv6 brackets; undefined when it is not a
 * valid host (or carries anything besides a host, such as `user@`).
 */
export function normalizeHost(host: string): string | undefined {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (bare === '' || /[\s/?#@\\]/.test(bare)) return undefined;
  const bracketed = isIP(bare) === 6 ? `[${bare}]` : bare;
  const text = `http://${bracketed}/`;
  if (!URL.canParse(text)) return undefined;
  return new URL(text).hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Addresses of this host (rebuilt per call: interfaces come and go). */
function selfAddresses(localAddress: string | undefined): BlockList {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  // ::/96 holds ::, ::1 and the deprecated IPv4-compatible addresses.
  list.addSubnet('::', 96, 'ipv6');
  const add = (address: string): void => {
    const bare = address.replace(/%.*$/, '');
    const family = isIP(bare);
    if (family) list.addAddress(bare, family === 6 ? 'ipv6' : 'ipv4');
  };
  for (const entries of Object.values(networkInterfaces())) for (const entry of entries ?? []) add(entry.address);
  if (localAddress) add(localAddress);
  return list;
}

/** True when `address` (an IP literal) reaches this host. */
export function isSelfAddress(address: string, self: SelfAddress): boolean {
  const family = isIP(address);
  if (!family) return false;
  return selfAddresses(self.localAddress).check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Names that resolve to this host without asking DNS anything meaningful. */
export function isSelfName(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const own = hostname().toLowerCase().replace(/\.$/, '');
  return lower === 'localhost' || lower.endsWith('.localhost') || lower === own || lower.split('.')[0] === own;
}

/** Why host:port is the exporter itself, or undefined. `host` must be normalized. */
export function selfTargetProblem(host: string, port: number | undefined, self: SelfAddress | undefined): string | undefined {
  if (!self || port !== self.port) return undefined;
  const isSelf = isIP(host) ? isSelfAddress(host, self) : isSelfName(host);
  return isSelf ? `target ${displayHostPort(host, port)} is this exporter itself` : undefined;
}

export function displayHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Host (normalized when it can be) and port a probe of `spec` connects to; DNS probes have no port. */
export function specHostPort(spec: TargetSpec): { host: string; port: number | undefined } {
  if (spec.kind === 'http') {
    const port = Number(spec.url.port) || (spec.url.protocol === 'https:' ? 443 : 80);
    return { host: spec.url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  }
  const host = normalizeHost(spec.host) ?? spec.host;
  return { host, port: spec.kind === 'dns' ? undefined : spec.port };
}

/**
 * For a name on the exporter's own port: resolves it the way the probe will (same
 * resolvers, same address family order) and reports a self address among the answers.
 * A failed lookup is no finding: the probe then fails on DNS by itself. This narrows,
 * but cannot close, the DNS-rebinding gap: the probe asks again and may get another answer.
 */
export async function resolvedSelfProblem(spec: TargetSpec, options: ProbeOptions, self: SelfAddress | undefined, signal: AbortSignal): Promise<string | undefined> {
  const { host, port } = specHostPort(spec);
  if (!self || port !== self.port || isIP(host)) return undefined;
  let addresses: string[];
  try {
    const resolution = await resolveHost(host, options, signal);
    addresses = resolution.details?.addresses ?? [resolution.address];
  } catch {
    return undefined;
  }
  const hit = addresses.find((a) => isSelfAddress(a, self));
  return hit ? `target ${displayHostPort(host, port)} resolves to ${hit}, this exporter itself` : undefined;
}
