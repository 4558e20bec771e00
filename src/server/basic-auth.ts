/**
 * HTTP basic auth against bcrypt hashes (--web.config.file basic_auth_users), in front of
 * every route but the configured unauthenticated_paths, plus the configured response headers.
 *
 * bcrypt is slow on purpose (tens of ms per check at cost 10): a success is remembered for
 * a minute under a SHA-256 of (user, stored hash, password), so a Prometheus scraping every
 * few seconds costs one bcrypt a minute and a changed password or hash never matches an old
 * entry. An unknown user is checked against a dummy hash of the same cost, so the answer
 * takes as long as for a known one; bcryptjs compares the hashes in constant time. Checks
 * running at once are capped: a flood of wrong passwords gets 429, not the CPU.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import bcrypt from 'bcryptjs';
import type { Logger } from '../util/log.js';
import type { WebConfig } from './web-config.js';

export type AuthOutcome = 'ok' | 'denied' | 'busy';

export interface BasicAuthOptions {
  cacheTtlMs?: number;
  maxCacheEntries?: number;
  /** bcrypt checks running at once; beyond, 'busy'. */
  maxConcurrent?: number;
  now?: () => number;
}

export const REALM = 'o365-exporter';

/** `Basic <base64(user:password)>` -> user and password; undefined for anything else. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuth {
  /** Cache key -> expiry (ms); Map order is insertion order, so the first key is the oldest. */
  private readonly cache = new Map<string, number>();
  private inFlight = 0;
  private dummy: Promise<string> | undefined;
  private readonly ttl: number;
  private readonly maxEntries: number;
  private readonly maxConcurrent: number;
  private readonly now: () => number;

  constructor(
    private readonly users: ReadonlyMap<string, string>,
    options: BasicAuthOptions = {},
  ) {
    this.ttl = options.cacheTtlMs ?? 60_000;
    this.maxEntries = options.maxCacheEntries ?? 1000;
    this.maxConcurrent = options.maxConcurrent ?? 8;
    this.now = options.now ?? Date.now;
  }

  /** Number of bcrypt comparisons run so far (tests check the cache with it). */
  comparisons = 0;

  async check(header: string | undefined): Promise<AuthOutcome> {
    const creds = parseBasicAuth(header);
    if (!creds) return 'denied';
    const hash = this.users.get(creds.user);
    const key = createHash('sha256').update(`${creds.user}\0${hash ?? ''}\0${creds.password}`).digest('hex');
    const expires = this.cache.get(key);
    if (hash !== undefined && expires !== undefined && expires > this.now()) return 'ok';
    if (expires !== undefined) this.cache.delete(key);
    if (this.inFlight >= this.maxConcurrent) return 'busy';
    this.inFlight++;
    try {
      this.comparisons++;
      const matches = await bcrypt.compare(creds.password, hash ?? (await this.dummyHash()));
      if (!matches || hash === undefined) return 'denied';
      this.remember(key);
      return 'ok';
    } finally {
      this.inFlight--;
    }
  }

  private remember(key: string): void {
    this.cache.set(key, this.now() + this.ttl);
    while (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest === undefined) break;
      this.cache.delete(oldest);
    }
  }

  /** A hash of a random password at the cost of the first user's hash. */
  private dummyHash(): Promise<string> {
    const first = this.users.values().next().value;
    const rounds = first ? bcrypt.getRounds(first) : 10;
    this.dummy ??= bcrypt.hash(randomBytes(16).toString('hex'), rounds);
    return this.dummy;
  }
}

/** Path of a request target without its query (`/probe?target=x` -> `/probe`). */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

/** A web config and the BasicAuth for its users (swapped whole on a reload). */
export interface GuardState {
  web: WebConfig;
  auth?: BasicAuth;
}

export function guardState(web: WebConfig, options: BasicAuthOptions = {}): GuardState {
  return { web, auth: web.users.size > 0 ? new BasicAuth(web.users, options) : undefined };
}

/**
 * Wraps the app: sets the configured headers, then lets a request through when its path is
 * exempt, when no users are configured, or when basic auth succeeds. Exemption compares the
 * exact path: /-/Healthy or /-/healthy/ still need credentials (fail closed). `state` is
 * read per request, so a reloaded web config applies to the next request.
 */
export function guard(app: RequestListener, state: () => GuardState, logger: Logger): RequestListener {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const { web, auth } = state();
    for (const [name, value] of Object.entries(web.headers)) res.setHeader(name, value);
    if (!auth || web.unauthenticatedPaths.has(pathOf(req.url))) return void app(req, res);
    auth.check(req.headers.authorization).then(
      (outcome) => {
        if (outcome === 'ok') return void app(req, res);
        if (outcome === 'busy') return reply(res, 429, 'too many authentication checks at once\n', { 'retry-after': '1' });
        logger.debug('basic auth failed', { remote: req.socket.remoteAddress, path: pathOf(req.url) });
        reply(res, 401, 'Unauthorized\n', { 'www-authenticate': `Basic realm="${REALM}", charset="UTF-8"` });
      },
      (err: unknown) => {
        logger.error('basic auth check failed', { error: err instanceof Error ? err.message : String(err) });
        reply(res, 500, 'internal error\n');
      },
    );
  };
}

function reply(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}
