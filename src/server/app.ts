/** The HTTP surface: /metrics, /probe, /-/healthy, /-/ready, /-/reload, and the status page (/, /api/status, /config). */
import express, { type Express, type Request, type Response } from 'express';
import type { Exporter } from '../exporter.js';
import { renderBlackbox } from '../metrics/blackbox.js';
import { renderMetricsBytes, wantsOpenMetrics } from '../metrics/registries.js';
import type { RunProbe } from '../scheduler/scheduler.js';
import { configView } from './config-view.js';
import { acceptsGzip, gzipBody } from './gzip.js';
import { ProbeRequestError, parseProbeRequest, withModuleCa } from './probe-request.js';
import { resolvedSelfProblem, type SelfAddress } from './self-target.js';
import { statusSnapshot } from './status-api.js';
import { statusPage, statusPageHeaders } from './status-page.js';

export interface AppDeps {
  exporter: Exporter;
  runProbe: RunProbe;
}

export function createApp({ exporter, runProbe }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', (req, res) => void sendMetrics(exporter, req, res));
  const onDemand = { inFlight: 0 };
  app.get('/probe', (req, res) => void probe(exporter, runProbe, onDemand, req, res));
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
  return app;
}

async function sendMetrics(exporter: Exporter, req: Request, res: Response): Promise<void> {
  try {
    const { body, contentType } = await renderMetricsBytes(exporter.registries, wantsOpenMetrics(req.get('accept')));
    res.set({ 'content-type': contentType, vary: 'Accept-Encoding' });
    // end(), not send(): no SHA-1 ETag over a body of megabytes that Prometheus never revalidates.
    if (acceptsGzip(req.get('accept-encoding'))) res.set('content-encoding', 'gzip').end(await gzipBody(body));
    else res.end(body);
  } catch (err) {
    exporter.logger.error('rendering metrics failed', { error: String(err) });
    res.status(500).type('text/plain').send(`error rendering metrics: ${String(err)}\n`);
  }
}

async function probe(exporter: Exporter, runProbe: RunProbe, onDemand: { inFlight: number }, req: Request, res: Response): Promise<void> {
  let parsed;
  // The listener this request came in on is the exporter itself: /probe may not point there.
  const self: SelfAddress = { port: req.socket.localPort ?? -1, localAddress: req.socket.localAddress };
  try {
    parsed = parseProbeRequest(req.query, req.get('x-prometheus-scrape-timeout-seconds'), exporter.config, exporter.scheduler.targets, self);
  } catch (err) {
    // Anything but a ProbeRequestError is our bug: answer 500 rather than crash on a request.
    res.status(err instanceof ProbeRequestError ? err.status : 500).type('text/plain').send(`${(err as Error).message}\n`);
    return;
  }
  if (onDemand.inFlight >= exporter.config.probe.max_concurrent) {
    res.status(429).type('text/plain').send(`too many on-demand probes at once (probe.max_concurrent=${exporter.config.probe.max_concurrent})\n`);
    return;
  }
  onDemand.inFlight++;
  const controller = new AbortController();
  res.on('close', () => controller.abort(new Error('client went away')));
  try {
    const request = await withModuleCa(parsed);
    const resolvesToSelf = await resolvedSelfProblem(request.target.spec, request.options, self, controller.signal);
    if (resolvesToSelf) return void res.status(403).type('text/plain').send(`${resolvesToSelf}\n`);
    const result = await runProbe(request.target, request.options, { signal: controller.signal });
    const { body, contentType } = await renderBlackbox(result, request.kind);
    // Plain end(): express' send() would hash every answer for an ETag nobody revalidates.
    res.set('content-type', contentType).end(body);
  } catch (err) {
    exporter.logger.error('on-demand probe failed', { error: String(err) });
    if (!res.headersSent) res.status(500).type('text/plain').send(`probe failed: ${(err as Error).message}\n`);
  } finally {
    onDemand.inFlight--;
  }
}

async function reload(exporter: Exporter, res: Response): Promise<void> {
  const outcome = await exporter.reload();
  if (outcome.ok) res.type('text/plain').send('Reloaded\n');
  else res.status(500).type('text/plain').send(`failed to reload config: ${outcome.error}\n`);
}
