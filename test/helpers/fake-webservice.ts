/**
 * A local fake of the Microsoft 365 IP Address and URL web service on 127.0.0.1:0, serving
 * the real captured responses in ../shared/fixtures/m365-endpoints/ per instance, with
 * switchable misbehaviour and request counts per path.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { fileURLToPath } from 'node:url';

/** ../shared beside the repo root (CI clones the repo elsewhere with shared/ beside it). */
export const FIXTURES_DIR = fileURLToPath(new URL('../../../shared/fixtures/m365-endpoints/', import.meta.url));

export function readFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, 'utf8')) as T;
}

export const FIXTURE_FILES = {
  Worldwide: 'endpoints-worldwide-2025-12.json',
  USGovDoD: 'endpoints-usgov-dod-2025-12.json',
  USGovGCCHigh: 'endpoints-usgov-gcchigh-2025-12.json',
  China: 'endpoints-china-2025-12.json',
} as const;
export type FakeInstance = keyof typeof FIXTURE_FILES;

/**
 * normal; http_429 / http_500: that status; truncated: 200 with half the JSON, cleanly ended;
 * reset: Content-Length of the whole body, half sent, then the socket destroyed; wrong_shape:
 * valid JSON that is not the documented shape; hang: read the request, never answer.
 */
export type FakeBehaviour = 'normal' | 'http_429' | 'http_500' | 'truncated' | 'reset' | 'wrong_shape' | 'hang';
export type FakeRoute = 'version' | 'endpoints' | 'changes';

export interface FakeWebService {
  /** Base URL (what discovery.web_service is set to). */
  url: string;
  /** Misbehave on these routes (default all) until set back to 'normal'. */
  setBehaviour(behaviour: FakeBehaviour, routes?: FakeRoute[]): void;
  /** Publishes a new version with a changed list. */
  publish(instance: FakeInstance, version: string, sets: unknown[]): void;
  /** Requests seen per path (no query), e.g. requests('/endpoints/Worldwide'). */
  requests(path: string): number;
  /** Query of the last request to a path. */
  lastQuery(path: string): URLSearchParams | undefined;
  close(): Promise<void>;
}

interface Published {
  version: string;
  sets: unknown[];
}

export async function startFakeWebService(): Promise<FakeWebService> {
  const versions = readFixture<{ instance: FakeInstance; latest: string }[]>('version-all.json');
  const published = new Map<string, Published>(versions.map((v) => [v.instance.toLowerCase(), { version: v.latest, sets: readFixture<unknown[]>(FIXTURE_FILES[v.instance]) }]));
  const changes = readFixture<{ version: string }[]>('changes-worldwide-sample.json');
  const behaviours = new Map<FakeRoute, FakeBehaviour>();
  const counts = new Map<string, number>();
  const queries = new Map<string, URLSearchParams>();
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    counts.set(url.pathname, (counts.get(url.pathname) ?? 0) + 1);
    queries.set(url.pathname, url.searchParams);
    const [, route, instance = '', since] = url.pathname.split('/') as [string, string, string?, string?];
    const entry = published.get(instance.toLowerCase());
    if (!isRoute(route) || !entry || !url.searchParams.get('ClientRequestId')) return send(res, 400, { error: 'bad request' });
    const behaviour = behaviours.get(route) ?? 'normal';
    const body =
      route === 'version'
        ? { instance: capitalised(instance, versions), latest: entry.version }
        : route === 'endpoints'
          ? entry.sets
          : instance.toLowerCase() === 'worldwide'
            ? changes.filter((c) => c.version > (since ?? '0'))
            : [];
    misbehave(behaviour, route, res, body);
  });
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {}).on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    setBehaviour(behaviour, routes = ['version', 'endpoints', 'changes']) {
      for (const r of routes) behaviours.set(r, behaviour);
    },
    publish(instance, version, sets) {
      published.set(instance.toLowerCase(), { version, sets });
    },
    requests: (path) => counts.get(path) ?? 0,
    lastQuery: (path) => queries.get(path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function misbehave(behaviour: FakeBehaviour, route: FakeRoute, res: http.ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  switch (behaviour) {
    case 'normal':
      return send(res, 200, body);
    case 'http_429':
      return send(res, 429, { error: 'too many requests' });
    case 'http_500':
      return send(res, 500, { error: 'internal' });
    case 'truncated':
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(text.slice(0, Math.floor(text.length / 2)));
    case 'reset':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
      res.write(text.slice(0, Math.floor(text.length / 2)));
      return void setTimeout(() => res.socket?.destroy(), 20);
    case 'wrong_shape':
      return send(res, 200, route === 'version' ? { instance: 'Worldwide', latest: 'yesterday' } : [{ url: 'outlook.office365.com', port: 443 }]);
    case 'hang':
      return; // the socket stays open until the client gives up or close() destroys it
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function isRoute(route: string): route is FakeRoute {
  return route === 'version' || route === 'endpoints' || route === 'changes';
}

function capitalised(instance: string, versions: { instance: string }[]): string {
  return versions.find((v) => v.instance.toLowerCase() === instance.toLowerCase())?.instance ?? instance;
}
