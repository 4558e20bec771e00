/**
 * gzip for /metrics. Prometheus always asks for it (Accept-Encoding: gzip); at 5,000 targets
 * the body is ~8 MB of repetitive text. The body is assembled from pieces deflated when their
 * lines changed (src/metrics/gzip-chunks.ts), not compressed whole at each scrape: on a busy
 * 2-core machine the thread pool's 8 MB gzip took 0.15-2 s of a scrape's time.
 */

/** True when the client accepts gzip (and did not refuse it with q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}
