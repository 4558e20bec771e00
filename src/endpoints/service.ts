/**
 * Keeps the endpoint list of one instance current: loads the cached list at start, checks
 * /version on a timer, fetches /endpoints only when the version changed (or the cached list
 * was asked with other options), keeps the last good list through every failure, and tells
 * its listener about each new list. State is exposed for metrics; no metric code here.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger, type Logger } from '../util/log.js';
import { nextCheckDelaySeconds } from './backoff.js';
import { FETCH_ERROR_REASONS, FetchError, WebServiceClient, type FetchErrorReason } from './client.js';
import { urlDiff } from './diff.js';
import type { DiscoveryStore, ListQuery } from './store.js';
import type { EndpointList, Instance } from './types.js';

export interface DiscoveryServiceOptions {
  instance: Instance;
  baseUrl: string;
  intervalSeconds: number;
  query: ListQuery;
  store: DiscoveryStore;
  /** One timeout per request (connect + headers + body). */
  timeoutMs?: number;
  logger?: Logger;
  /** Wall clock (Unix ms), injectable for tests. */
  now?: () => number;
  onList?: (list: EndpointList, from: 'cache' | 'network') => void;
}

export interface DiscoveryState {
  instance: Instance;
  list?: EndpointList;
  from?: 'cache' | 'network';
  /** Unix ms of the last /version answer. */
  lastCheckAt?: number;
  /** Unix ms when the held list last changed (its first fetch counts). */
  lastChangeAt?: number;
  urlsAdded: number;
  urlsRemoved: number;
  errors: Record<FetchErrorReason, number>;
  consecutiveFailures: number;
  /** Delay chosen after the last check. */
  nextCheckSeconds?: number;
}

export type CheckOutcome = { result: 'unchanged' | 'changed' } | { result: 'failed'; reason: FetchErrorReason; message: string };

export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

export class DiscoveryService {
  private readonly state: DiscoveryState;
  private readonly logger: Logger;
  private readonly now: () => number;
  private client?: WebServiceClient;
  /** The held list was asked with other options (e.g. a cache from before a config change). */
  private stale = false;
  private running?: Promise<CheckOutcome>;
  private timer?: NodeJS.Timeout;
  private started = false;
  private stopped = false;

  constructor(private readonly options: DiscoveryServiceOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    const errors = Object.fromEntries(FETCH_ERROR_REASONS.map((r) => [r, 0])) as Record<FetchErrorReason, number>;
    this.state = { instance: options.instance, urlsAdded: 0, urlsRemoved: 0, errors, consecutiveFailures: 0 };
  }

  /** A copy of the state, for metrics and tests. */
  snapshot(): Readonly<DiscoveryState> {
    return { ...this.state, errors: { ...this.state.errors } };
  }

  get list(): EndpointList | undefined {
    return this.state.list;
  }

  /** Loads the cache, then checks now and on the interval until stop(). */
  async start(): Promise<void> {
    await this.loadCache();
    this.started = true;
    this.arm(0);
  }

  /** Adopts the cached list, if there is a usable one. Returns whether it did. */
  async loadCache(): Promise<boolean> {
    const { cached, problem } = await this.options.store.loadList(this.options.instance);
    if (problem) this.logger.warn('endpoint list cache not used', { problem });
    if (!cached) return false;
    this.stale = JSON.stringify(cached.query) !== JSON.stringify(this.options.query);
    Object.assign(this.state, { list: cached.list, from: 'cache', lastChangeAt: cached.changedAt, urlsAdded: cached.urlsAdded, urlsRemoved: cached.urlsRemoved });
    this.logger.info('endpoint list loaded from cache', { instance: cached.list.instance, version: cached.list.version, sets: cached.list.sets.length, stale: this.stale });
    this.notify(cached.list, 'cache');
    return true;
  }

  /** One check now (joins a check already running). Rejects only on a bug, never on network input. */
  checkNow(): Promise<CheckOutcome> {
    this.running ??= this.check().finally(() => {
      this.running = undefined;
      if (this.started) this.arm((this.state.nextCheckSeconds ?? this.options.intervalSeconds) * 1000);
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.client?.close(); // aborts a hung request
    await this.running;
  }

  private arm(ms: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.checkNow().catch((err: unknown) => this.logger.error('endpoint list check crashed', { error: String(err) }));
    }, ms);
    this.timer.unref();
  }

  private async check(): Promise<CheckOutcome> {
    const { instance } = this.options;
    try {
      const client = await this.webService();
      const latest = await client.version(instance);
      this.state.lastCheckAt = this.now();
      const held = this.state.list;
      let result: 'unchanged' | 'changed' = 'unchanged';
      if (!held || held.version !== latest || this.stale) {
        const { sets, dropped } = await client.endpoints(instance, this.options.query);
        if (dropped > 0) this.logger.warn('endpoint sets without id, serviceArea or category ignored', { dropped });
        await this.adopt({ instance, version: latest, sets });
        result = 'changed';
      }
      this.state.consecutiveFailures = 0;
      this.state.nextCheckSeconds = nextCheckDelaySeconds(this.options.intervalSeconds, { consecutiveFailures: 0 });
      return { result };
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      if (this.stopped) return { result: 'failed', reason: err.reason, message: 'stopped' };
      const failures = ++this.state.consecutiveFailures;
      this.state.errors[err.reason]++;
      this.state.nextCheckSeconds = nextCheckDelaySeconds(this.options.intervalSeconds, { failure: err.reason, consecutiveFailures: failures });
      this.logger.warn('endpoint web service check failed, keeping the last good list', {
        reason: err.reason,
        error: err.message,
        retry_in_seconds: this.state.nextCheckSeconds,
        held_version: this.state.list?.version,
      });
      return { result: 'failed', reason: err.reason, message: err.message };
    }
  }

  private async adopt(list: EndpointList): Promise<void> {
    const { added, removed } = urlDiff(this.state.list?.sets, list.sets);
    const at = this.now();
    Object.assign(this.state, { list, from: 'network', lastChangeAt: at, urlsAdded: added, urlsRemoved: removed });
    this.stale = false;
    this.logger.info('endpoint list updated', { instance: list.instance, version: list.version, sets: list.sets.length, urls_added: added, urls_removed: removed });
    try {
      await this.options.store.saveList({ list, query: this.options.query, fetchedAt: at, changedAt: at, urlsAdded: added, urlsRemoved: removed });
    } catch (err) {
      this.logger.warn('cannot write the endpoint list cache', { error: String(err) });
    }
    this.notify(list, 'network');
  }

  /** A listener's failure is logged, never taken for a failed fetch. */
  private notify(list: EndpointList, from: 'cache' | 'network'): void {
    try {
      this.options.onList?.(list, from);
    } catch (err) {
      this.logger.error('applying the endpoint list failed', { error: String(err) });
    }
  }

  /** The client needs the ClientRequestId from the data dir, so it is made on first use. */
  private async webService(): Promise<WebServiceClient> {
    if (!this.client) {
      let clientRequestId: string;
      try {
        clientRequestId = await this.options.store.clientRequestId();
      } catch (err) {
        // An unwritable data dir must not stop discovery: use a GUID for this run only.
        clientRequestId = randomUUID();
        this.logger.warn('cannot keep the ClientRequestId in the data directory, using one for this run', { dir: this.options.store.dir, error: String(err) });
      }
      this.client = new WebServiceClient({ baseUrl: this.options.baseUrl, clientRequestId, timeoutMs: this.options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS });
    }
    return this.client;
  }
}
