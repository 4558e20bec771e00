/**
 * gzip for /metrics. Prometheus always asks for it (Accept-Encoding: gzip); at 5,000 targets
 * the body is ~7.5 MB of repetitive text. Compressing runs on libuv's thread pool, so the
 * event loop (and the probes' clocks) only hands the buffer over, and less has to be written
 * out between probe callbacks. Measured at 5,000 targets: steady scrapes 0.23-0.33 s with
 * gzip against 0.27-0.59 s plain (bench, two 2-minute runs).
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
