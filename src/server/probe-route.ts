/**
 * /probe, answered straight from node:http. Express' router, its request/response
 * prototypes and query getter cost a few percent of a probe's CPU under load, so the
 * listener hands `GET /probe?...` here first (probeQuery) and everything else to Express,
 * which still routes /probe spellings the fast path leaves alone (HEAD, /probe/, /PROBE).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery, type ParsedUrlQuery } from 'node:querystring';
import type { Exporter } from '../exporter.js';
import { renderBlackbox } from '../metrics/blackbox.js';
import type { RunProbe } from '../scheduler/scheduler.js';
import { ProbeRequestError, parseProbeRequest, withModuleCa } from './probe-request.js';
import { resolvedSelfProblem, type SelfAddress } from './self-target.js';

export type ProbeHandler = (req: IncomingMessage, res: ServerResponse, query: ParsedUrlQuery) => Promise<void>;

/**
 * The query of `GET /probe?...` (or `GET /probe`), parsed as Express 5's default "simple"
 * query parser does (node:querystring: a repeated key is an array); undefined for any
 * other request, which then goes to Express.
 */
export function probeQuery(req: IncomingMessage): ParsedUrlQuery | undefined {
  const url = req.url;
  if (req.method !== 'GET' || url === undefined || !url.startsWith('/probe')) return undefined;
  if (url.length === 6) return {};
  return url.charCodeAt(6) === 63 /* ? */ ? parseQuery(url.slice(7)) : undefined;
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** One handler per app: the on-demand concurrency limit is shared by every path to it. */
export function probeHandler(exporter: Exporter, runProbe: RunProbe): ProbeHandler {
  let inFlight = 0;
  return async (req, res, query) => {
    let parsed;
    // The listener this request came in on is the exporter itself: /probe may not point there.
    const self: SelfAddress = { port: req.socket.localPort ?? -1, localAddress: req.socket.localAddress };
    const timeoutHeader = req.headers['x-prometheus-scrape-timeout-seconds'];
    try {
      const header = Array.isArray(timeoutHeader) ? timeoutHeader[0] : timeoutHeader;
      parsed = parseProbeRequest(query, header, exporter.config, exporter.scheduler.targets, self);
    } catch (err) {
      // Anything but a ProbeRequestError is our bug: answer 500 rather than crash on a request.
      return reply(res, err instanceof ProbeRequestError ? err.status : 500, `${(err as Error).message}\n`);
    }
    const max = exporter.config.probe.max_concurrent;
    if (inFlight >= max) return reply(res, 429, `too many on-demand probes at once (probe.max_concurrent=${max})\n`);
    inFlight++;
    const controller = new AbortController();
    res.once('close', () => controller.abort(new Error('client went away')));
    try {
      const request = await withModuleCa(parsed);
      const resolvesToSelf = await resolvedSelfProblem(request.target.spec, request.options, self, controller.signal);
      if (resolvesToSelf) return reply(res, 403, `${resolvesToSelf}\n`);
      const result = await runProbe(request.target, request.options, { signal: controller.signal });
      const { body, contentType } = await renderBlackbox(result, request.kind);
      res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }).end(body);
    } catch (err) {
      exporter.logger.error('on-demand probe failed', { error: String(err) });
      if (!res.headersSent) reply(res, 500, `probe failed: ${(err as Error).message}\n`);
    } finally {
      inFlight--;
    }
  };
}
