/**
 * HTTP client of the web service on undici, with one explicit timeout covering connect,
 * headers and body, and a cap on the body size. Every failure becomes a FetchError with a
 * reason from a closed set (a metric label).
 */
import { Agent, errors, request } from 'undici';
import { ShapeError, parseChanges, parseEndpointSets, parseVersion, type ChangeRecord, type ParsedSets } from './parse.js';
import type { Instance } from './types.js';

export const FETCH_ERROR_REASONS = ['http_429', 'http_5xx', 'http_other', 'timeout', 'network', 'invalid_json', 'invalid_shape'] as const;
export type FetchErrorReason = (typeof FETCH_ERROR_REASONS)[number];

export class FetchError extends Error {
  override readonly name = 'FetchError';
  constructor(
    readonly reason: FetchErrorReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ClientOptions {
  /** Base URL, e.g. https://endpoints.office.com. */
  baseUrl: string;
  clientRequestId: string;
  timeoutMs: number;
  /** The worldwide list is ~60 kB; anything far larger is not the list. */
  maxBodyBytes?: number;
}

export interface EndpointsQuery {
  serviceAreas?: readonly string[];
  tenantName?: string;
  noIPv6?: boolean;
}

const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export class WebServiceClient {
  private readonly agent: Agent;

  constructor(private readonly options: ClientOptions) {
    this.agent = new Agent({ connect: { timeout: options.timeoutMs }, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  /** GET /version/{instance} -> latest. */
  async version(instance: Instance): Promise<string> {
    const body = await this.getJson(`/version/${instance}`, {});
    return wrapShape(() => parseVersion(body, instance));
  }

  /** GET /endpoints/{instance} with the list options. */
  async endpoints(instance: Instance, query: EndpointsQuery): Promise<ParsedSets> {
    const params: Record<string, string> = {};
    if (query.serviceAreas?.length) params.ServiceAreas = query.serviceAreas.join(',');
    if (query.tenantName) params.TenantName = query.tenantName;
    if (query.noIPv6) params.NoIPv6 = 'true';
    const body = await this.getJson(`/endpoints/${instance}`, params);
    return wrapShape(() => parseEndpointSets(body));
  }

  /** GET /changes/{instance}/{version}: the change records published after `version` (0000000000: all). */
  async changes(instance: Instance, sinceVersion = '0000000000'): Promise<ChangeRecord[]> {
    const body = await this.getJson(`/changes/${instance}/${sinceVersion}`, {});
    return wrapShape(() => parseChanges(body));
  }

  /** Drops kept-alive and hung connections. */
  async close(): Promise<void> {
    await this.agent.destroy();
  }

  /** The URL of a call, ClientRequestId included (for logs: it holds no secret). */
  url(path: string, params: Record<string, string>): URL {
    const url = new URL(this.options.baseUrl);
    url.pathname = `${url.pathname.replace(/\/$/, '')}${path}`;
    url.search = '';
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    url.searchParams.set('ClientRequestId', this.options.clientRequestId);
    return url;
  }

  private async getJson(path: string, params: Record<string, string>): Promise<unknown> {
    const url = this.url(path, params);
    const text = await this.getText(url);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new FetchError('invalid_json', `${url.pathname}: body is not JSON (${text.length} bytes): ${(err as Error).message}`);
    }
  }

  private async getText(url: URL): Promise<string> {
    const signal = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await request(url, { method: 'GET', dispatcher: this.agent, signal, headers: { accept: 'application/json' } });
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined);
        throw new FetchError(statusReason(res.statusCode), `${url.pathname}: HTTP ${res.statusCode}`);
      }
      return await readLimited(res.body, this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, url.pathname);
    } catch (err) {
      if (err instanceof FetchError) throw err;
      if (signal.aborted || isTimeout(err)) throw new FetchError('timeout', `${url.pathname}: no complete answer within ${this.options.timeoutMs} ms`, { cause: err });
      throw new FetchError('network', `${url.pathname}: ${(err as Error).message}`, { cause: err });
    }
  }
}

function statusReason(status: number): FetchErrorReason {
  if (status === 429) return 'http_429';
  if (status >= 500) return 'http_5xx';
  return 'http_other';
}

function isTimeout(err: unknown): boolean {
  return err instanceof errors.ConnectTimeoutError || err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError || (err as Error).name === 'TimeoutError';
}

async function readLimited(body: AsyncIterable<Buffer>, max: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new FetchError('invalid_shape', `${what}: body larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function wrapShape<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ShapeError) throw new FetchError('invalid_shape', err.message, { cause: err });
    throw err;
  }
}
