/**
 * The DNS probe and the resolution every other probe starts with. Uses our own client
 * (dns-client.ts) rather than the OS resolver so the resolver, rcode, transport, CNAME chain
 * and the query time are all observable.
 */
import { isIP } from 'node:net';
import type { DecodedPacket } from 'dns-packet';
import { now, secondsSince } from '../util/clock.js';
import { query, resolverLabel, sameName } from './dns-client.js';
import type { QueryType, Reply } from './dns-client.js';
import { systemResolvers } from './resolv-conf.js';
import type { DnsDetails, ProbeResult, Reason } from './result.js';
import { ProbeError, isProbeError } from './result.js';
import type { DnsTargetSpec, IpVersion, Probe, ProbeOptions, Resolver } from './target.js';

export interface Resolution {
  /** Absent when no query was made (the host is an IP literal). */
  seconds?: number;
  details?: DnsDetails;
  /** The address the next phase connects to. */
  address: string;
}

/** Longest CNAME chain followed; real chains (e.g. outlook.office365.com) have 3 or 4 links. */
export const MAX_CNAME_HOPS = 8;

const QUERY_ORDER: Record<IpVersion, QueryType[]> = {
  ipv4: ['A'],
  ipv6: ['AAAA'],
  prefer_ipv4: ['A', 'AAAA'],
  prefer_ipv6: ['AAAA', 'A'],
};

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const RCODE_REASONS: Record<string, Reason> = { NXDOMAIN: 'dns_nxdomain', SERVFAIL: 'dns_servfail', REFUSED: 'dns_refused' };
/** Only a resolver that did not answer is worth replacing; its answers are final otherwise. */
const FAILOVER_REASONS = new Set<Reason>(['dns_timeout', 'dns_network_error']);

export function rcodeName(packet: DecodedPacket): string {
  const code = (packet.flags ?? 0) & 0xf;
  return RCODE_NAMES[code] ?? `RCODE_${code}`;
}

export interface ChainStep {
  /** The last name of the chain: where the addresses are, or what to ask next. */
  name: string;
  addresses: string[];
  ttlSeconds?: number;
}

interface NameRecord {
  name: string;
  data: string;
  ttl?: number;
}

/** A record of `type` owned by `owner` whose data is a string; decoded packets are not trusted. */
function isRecord(r: unknown, type: string, owner: string): r is NameRecord {
  if (typeof r !== 'object' || r === null) return false;
  const { type: t, name, data } = r as Record<string, unknown>;
  return t === type && typeof name === 'string' && typeof data === 'string' && sameName(name, owner);
}

const minTtl = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * Follows the CNAMEs in an answer from the last name of `path`, appending each alias to it,
 * and collects the records of `type` owned by the final name. Throws only ProbeError.
 */
export function followChain(packet: DecodedPacket, path: string[], type: QueryType): ChainStep {
  const answers = Array.isArray(packet.answers) ? packet.answers : [];
  let name = path[path.length - 1] ?? '';
  let ttl: number | undefined;
  for (;;) {
    const link = answers.find((r): r is NameRecord & typeof r => isRecord(r, 'CNAME', name));
    if (!link) break;
    const target = link.data;
    if (path.some((seen) => sameName(seen, target)) || path.length > MAX_CNAME_HOPS) {
      throw new ProbeError('dns', 'dns_cname_loop', `CNAME loop or chain over ${MAX_CNAME_HOPS}: ${[...path, target].join(' -> ')}`);
    }
    path.push(target);
    ttl = minTtl(ttl, typeof link.ttl === 'number' ? link.ttl : undefined);
    name = target;
  }
  const family = type === 'A' ? 4 : 6;
  const records = answers.filter((r): r is NameRecord & typeof r => isRecord(r, type, name) && isIP(r.data) === family);
  for (const r of records) ttl = minTtl(ttl, typeof r.ttl === 'number' ? r.ttl : undefined);
  return { name, addresses: records.map((r) => r.data), ttlSeconds: ttl };
}

interface Lookup {
  resolver: Resolver;
  deadline: bigint;
  signal: AbortSignal;
  /** Nanoseconds spent waiting for this resolver's answers, summed over the queries made. */
  spent: bigint;
}

function checkRcode(reply: Reply, lk: Lookup, name: string): string {
  const rcode = rcodeName(reply.packet);
  if (rcode === 'NOERROR') return rcode;
  const reason = RCODE_REASONS[rcode] ?? 'dns_rcode_other';
  throw new ProbeError('dns', reason, `${name} @${resolverLabel(lk.resolver)}: ${rcode}`);
}

/** One name and type on one resolver, re-asking for the last alias when the answer stops at a CNAME. */
async function lookup(lk: Lookup, host: string, type: QueryType): Promise<Resolution> {
  const path = [host];
  for (;;) {
    const name = path[path.length - 1] ?? host;
    const reply = await query({ resolver: lk.resolver, question: { name, type }, deadline: lk.deadline, signal: lk.signal });
    lk.spent += reply.arrivedAt - reply.sentAt;
    const rcode = checkRcode(reply, lk, name);
    const step = followChain(reply.packet, path, type);
    const details = { resolver: resolverLabel(lk.resolver), rcode, transport: reply.transport, cnames: path.slice(1) };
    if (step.addresses.length > 0) {
      const full = { ...details, addresses: step.addresses, ttlSeconds: step.ttlSeconds };
      return { seconds: Number(lk.spent) / 1e9, details: full, address: step.addresses[0] ?? '' };
    }
    if (step.name === name) throw new ProbeError('dns', 'dns_no_address', `${host} @${details.resolver}: no ${type} record`);
  }
}

/** The query types in preference order; the next one is asked only when the previous has no address. */
async function resolveOn(lk: Lookup, host: string, types: QueryType[]): Promise<Resolution> {
  for (const [i, type] of types.entries()) {
    try {
      return await lookup(lk, host, type);
    } catch (err) {
      const last = i === types.length - 1;
      if (last || !isProbeError(err) || err.reason !== 'dns_no_address') throw err;
    }
  }
  throw new ProbeError('dns', 'internal_error', 'no query type to ask');
}

export async function resolveHost(host: string, options: ProbeOptions, signal: AbortSignal): Promise<Resolution> {
  const literal = host.replace(/^\[(.*)\]$/, '$1'); // URL hostnames bracket IPv6 literals
  if (isIP(literal)) return { address: literal };
  if (signal.aborted) throw new ProbeError('dns', 'aborted', `${host}: aborted`);
  const resolvers = options.resolvers.length > 0 ? options.resolvers : await systemResolvers();
  const deadline = now() + BigInt(Math.round(options.timeoutSeconds * 1e9));
  let lastError: unknown;
  for (const [i, resolver] of resolvers.entries()) {
    // Share what is left of the time among the resolvers not tried yet, so failover can happen.
    const attemptDeadline = now() + (deadline - now()) / BigInt(resolvers.length - i);
    try {
      return await resolveOn({ resolver, deadline: attemptDeadline, signal, spent: 0n }, host, QUERY_ORDER[options.ipVersion]);
    } catch (err) {
      if (!isProbeError(err) || !FAILOVER_REASONS.has(err.reason)) throw err;
      lastError = err;
    }
  }
  throw lastError ?? new ProbeError('dns', 'dns_network_error', `${host}: no resolver`);
}

export const dnsProbe: Probe<DnsTargetSpec> = async (target, options, ctx): Promise<ProbeResult> => {
  const startedAt = Date.now();
  const start = now();
  try {
    const r = await resolveHost(target.spec.host, options, ctx.signal);
    const phases = r.seconds === undefined ? {} : { dns: r.seconds };
    return { success: true, startedAt, durationSeconds: secondsSince(start), phases, dns: r.details, address: r.address };
  } catch (err) {
    const reason: Reason = isProbeError(err) ? err.reason : 'internal_error';
    const message = err instanceof Error ? err.message : String(err);
    return { success: false, startedAt, durationSeconds: secondsSince(start), phases: {}, failure: { phase: 'dns', reason, message } };
  }
};
