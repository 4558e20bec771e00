/**
 * The system's resolvers, from /etc/resolv.conf, for targets that name none of their own.
 * Read at most every CACHE_MS: probes run often, and DHCP may rewrite the file meanwhile.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Resolver } from './target.js';

export const RESOLV_CONF_PATH = '/etc/resolv.conf';
/** What glibc uses when the file names no nameserver. */
export const DEFAULT_RESOLVER: Resolver = { host: '127.0.0.1', port: 53 };
/** glibc reads only the first three nameservers (MAXNS in resolv.h); do the same. */
const MAXNS = 3;
const CACHE_MS = 30_000;

const cache = new Map<string, { loadedAt: number; resolvers: Promise<Resolver[]> }>();

/** The nameserver lines of a resolv.conf, in order; entries that are not IP addresses are skipped. */
export function parseResolvConf(text: string): Resolver[] {
  const resolvers: Resolver[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [keyword, address] = line.split(/\s+/);
    if (keyword !== 'nameserver' || !address || !isIP(address)) continue;
    resolvers.push({ host: address, port: 53 });
    if (resolvers.length === MAXNS) break;
  }
  return resolvers;
}

async function load(path: string): Promise<Resolver[]> {
  try {
    const found = parseResolvConf(await readFile(path, 'utf8'));
    return found.length > 0 ? found : [DEFAULT_RESOLVER];
  } catch {
    // No readable file: glibc falls back to the local resolver too.
    return [DEFAULT_RESOLVER];
  }
}

/** The system resolvers, cached per path; `nowMs` is injectable for tests. */
export function systemResolvers(path: string = RESOLV_CONF_PATH, nowMs: number = Date.now()): Promise<Resolver[]> {
  const hit = cache.get(path);
  if (hit && nowMs - hit.loadedAt < CACHE_MS) return hit.resolvers;
  const resolvers = load(path);
  cache.set(path, { loadedAt: nowMs, resolvers });
  return resolvers;
}

export function clearResolvConfCache(): void {
  cache.clear();
}
