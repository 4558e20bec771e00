/** The HTTP surface: /metrics, /probe, /-/healthy, /-/ready, /-/reload, and the status page (/, /api/status, /config). */
import type { RequestListener } from 'node:http';
import express, { type Request, type Response } from 'express';
import type { Exporter } from '../exporter.js';
import { renderMetricsBytes, renderMetricsGzip, wantsOpenMetrics } from '../metrics/registries.js';
import type { RunProbe } from '../scheduler/scheduler.js';
import { configView } from './config-view.js';
import { acceptsGzip } from './gzip.js';
import { probeHandler, probeQuery } from './probe-route.js';
import { statusSnapshot } from './status-api.js';
import { statusPage, statusPageHeaders } from './status-page.js';

export interface AppDeps {
  exporter: Exporter;
  runProbe: RunProbe;
}

/** The listener: `GET /probe?...` goes straight to the probe handler (probe-route.ts), the rest through Express. */
export function createApp({ exporter, runProbe }: AppDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', (req, res) => void sendMetrics(exporter, req, res));
  const probe = probeHandler(exporter, runProbe);
  // Spellings the fast path leaves to Express (HEAD, /probe/, /PROBE) get the same handler.
  app.get('/probe', (req, res) => void probe(req, res, req.query as Record<string, string | string[]>));
  app.get('/-/healthy', (_req, res) => void res.type('text/plain').send('Healthy\n'));
  app.get('/-/ready', (_req, res) => {
    const ready = exporter.scheduler.ready;
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? 'Ready\n' : 'Not ready: first round of probes still running\n');
  });
  app.post('/-/reload', (_req, res) => void reload(exporter, res));
  app.get('/', (_req, res) => void res.set(statusPageHeaders()).type('html').send(statusPage(exporter)));
  app.get('/api/status', (_req, res) => void res.set('cache-control', 'no-store').json(statusSnapshot(exporter)));
  app.get('/config', (_req, res) => void res.set('cache-control', 'no-store').type('text/plain').send(configView(exporter)));
  app.use((_req: Request, res: Response) => void res.status(404).type('text/plain').send('Not found\n'));
  return (req, res) => {
    const query = probeQuery(req);
    if (query) void probe(req, res, query);
    else void app(req, res);
  };
}

async function sendMetrics(exporter: Exporter, req: Request, res: Response): Promise<void> {
  try {
    const gzip = acceptsGzip(req.get('accept-encoding'));
    const { body, contentType } = await (gzip ? renderMetricsGzip : renderMetricsBytes)(exporter.registries, wantsOpenMetrics(req.get('accept')));
    res.set({ 'content-type': contentType, vary: 'Accept-Encoding' });
    if (gzip) res.set('content-encoding', 'gzip');
    // end(), not send(): no SHA-1 ETag over a body of megabytes that Prometheus never revalidates.
    res.end(body);
  } catch (err) {
    exporter.logger.error('rendering metrics failed', { error: String(err) });
    res.status(500).type('text/plain').send(`error rendering metrics: ${String(err)}\n`);
  }
}

async function reload(exporter: Exporter, res: Response): Promise<void> {
  const outcome = await exporter.reload();
  if (outcome.ok) res.type('text/plain').send('Reloaded\n');
  else res.status(500).type('text/plain').send(`failed to reload config: ${outcome.error}\n`);
}
