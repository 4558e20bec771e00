/**
 * gzip for /metrics. Prometheus always asks for it (Accept-Encoding: gzip); at 5,000 targets
 * the body is ~7.5 MB of text that compresses ~15x. Compressing runs on libuv's thread pool,
 * so the event loop (and the probes' clocks) only hand the buffer over, and the far smaller
 * body leaves in a few writes instead of dozens interleaved with probe callbacks.
 */
import { constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';

const gzipAsync = promisify(gzip);

/** True when the client accepts gzip (and did not refuse it with q=0). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== '*') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Level 1: most of the size for a fraction of the CPU of the default level. */
export function gzipBody(body: Buffer): Promise<Buffer> {
  return gzipAsync(body, { level: constants.Z_BEST_SPEED });
}
