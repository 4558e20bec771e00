/**
 * A plain HTTP client for the exporter's endpoints that times each exchange (request sent to
 * last body byte) and can go through a Unix socket (an exporter inside a network namespace
 * is reached through a forwarder listening on one). No keep-alive: every request has its
 * own connection, so the exporter holds no idle scraper socket between samples.
 */
import http from 'node:http';
import { parseExposition, type Series } from './exposition.js';

export interface TimedAnswer {
  status: number;
  body: string;
  /** Milliseconds from the request to the end of the body. */
  ms: number;
}

export type Via = { port: number } | { socketPath: string };

export interface TimedClient {
  get(path: string, timeoutMs?: number): Promise<TimedAnswer>;
  post(path: string, timeoutMs?: number): Promise<TimedAnswer>;
  /** GET /metrics, parsed; rejects on a status other than 200. */
  scrape(timeoutMs?: number): Promise<{ series: Series[]; ms: number }>;
}

function exchange(via: Via, method: string, path: string, timeoutMs: number): Promise<TimedAnswer> {
  const start = performance.now();
  const target = 'socketPath' in via ? { socketPath: via.socketPath } : { host: '127.0.0.1', port: via.port };
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target, method, path, agent: false, headers: { connection: 'close' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - start }));
      res.on('error', reject);
    });
    // Far beyond the 1 s the exporter must answer in: only a dead exporter hits it.
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function timedClient(via: Via): TimedClient {
  return {
    get: (path, timeoutMs = 10_000) => exchange(via, 'GET', path, timeoutMs),
    post: (path, timeoutMs = 10_000) => exchange(via, 'POST', path, timeoutMs),
    async scrape(timeoutMs = 10_000) {
      const answer = await exchange(via, 'GET', '/metrics', timeoutMs);
      if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}: ${answer.body.slice(0, 200)}`);
      return { series: parseExposition(answer.body), ms: answer.ms };
    },
  };
}
