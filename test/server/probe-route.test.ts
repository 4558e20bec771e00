/**
 * /probe is answered by node:http directly for `GET /probe?...` and by Express for the other
 * spellings it routes there (HEAD, /probe/, /PROBE): both give the same answers, status,
 * body and content type. A fake runProbe records what it was asked (the network is not the subject).
 */
import type { IncomingMessage, Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from '../../src/probes/target.js';
import { createApp } from '../../src/server/app.js';
import { probeQuery } from '../../src/server/probe-route.js';
import { close, listen } from '../../src/server/listen.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { tempDir } from '../helpers/process.js';
import { okResult } from '../helpers/targets.js';

const tmp = tempDir('o365-probe-route-');
const asked: { name: string; timeoutSeconds: number }[] = [];

function fakeRunProbe(target: ProbeTarget, options: ProbeOptions, _ctx: ProbeContext): Promise<ProbeResult> {
  asked.push({ name: target.name, timeoutSeconds: options.timeoutSeconds });
  return Promise.resolve(okResult());
}

let exporter: Exporter | undefined;
let server: Server | undefined;
let base = '';

beforeAll(async () => {
  const configFile = join(tmp.dir, 'config.yml');
  writeFileSync(configFile, 'defaults: {interval: 1h, timeout: 5s}\nprobe: {allowed_targets: ["*.office365.com"]}\ntargets: []\n');
  exporter = await Exporter.start({ configFile, runProbe: fakeRunProbe });
  const bound = await listen(createApp({ exporter, runProbe: fakeRunProbe }), '127.0.0.1', 0);
  server = bound.server;
  base = `http://127.0.0.1:${bound.port}`;
});

afterAll(async () => {
  await exporter?.stop();
  if (server) await close(server);
  tmp.cleanup();
});

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

async function get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

const missing: Answer = { status: 400, contentType: 'text/plain; charset=utf-8', text: 'missing "target" parameter\n' };

describe('probeQuery: which requests skip Express', () => {
  const query = (method: string, url: string) => probeQuery({ method, url } as IncomingMessage);

  it('takes GET /probe with or without a query, parsed as node:querystring does', () => {
    expect(query('GET', '/probe')).toEqual({});
    expect(query('GET', '/probe?target=a%20b+c&module=https')).toEqual({ target: 'a b c', module: 'https' });
    expect(query('GET', '/probe?target=a&target=b')).toEqual({ target: ['a', 'b'] });
  });

  it('leaves every other request to Express', () => {
    for (const [method, url] of [['HEAD', '/probe?target=a'], ['POST', '/probe'], ['GET', '/probe/?target=a'], ['GET', '/probes'], ['GET', '/PROBE'], ['GET', '/metrics']] as const) {
      expect(query(method, url), `${method} ${url}`).toBeUndefined();
    }
  });
});

describe('/probe without Express in front', () => {
  it('answers bad requests as Express did: 400 with the reason as text', async () => {
    for (const path of ['/probe', '/probe?', '/probe?module=https', '/probe/?module=https', '/PROBE?module=https', '/probe?target=a&target=b']) {
      expect(await get(path), path).toEqual(missing);
    }
    expect(await get('/probe?target=x.office365.com&module=icmp')).toEqual({
      status: 400,
      contentType: 'text/plain; charset=utf-8',
      text: 'unknown module "icmp" (known: https, http, tcp, dns)\n',
    });
    expect((await get('/probe?target=evil.example')).status).toBe(403);
  });

  it('does not take paths that only start with /probe, nor other methods', async () => {
    expect((await get('/probes?target=x.office365.com')).status).toBe(404);
    expect((await fetch(`${base}/probe?target=x.office365.com`, { method: 'POST' })).status).toBe(404);
    const head = await fetch(`${base}/probe?module=https`, { method: 'HEAD' });
    expect(head.status).toBe(400);
  });

  it('runs the probe with the decoded target and the scrape timeout, and answers blackbox text', async () => {
    asked.length = 0;
    const fast = await get(`/probe?target=${encodeURIComponent('https://x.office365.com/a?b=c')}&module=https`, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    const routed = await get(`/probe/?target=${encodeURIComponent('https://x.office365.com/a?b=c')}&module=https`, { 'X-Prometheus-Scrape-Timeout-Seconds': '2' });
    expect(fast).toEqual(routed);
    expect(fast.status).toBe(200);
    expect(fast.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(valueOf(parseExposition(fast.text), 'probe_success')).toBe(1);
    expect(asked).toEqual([
      { name: 'https://x.office365.com/a?b=c', timeoutSeconds: 1.5 },
      { name: 'https://x.office365.com/a?b=c', timeoutSeconds: 1.5 },
    ]);
  });
});
