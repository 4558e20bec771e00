/**
 * In-process RSS soak: the real Exporter and scheduler with fake instant probes (N HTTPS
 * targets, 15 s interval), a gzip render every 15 s like the bench's scrapes, and
 * process.memoryUsage() every 10 s (after gc() when run with --expose-gc).
 *   node [--expose-gc] --heap-growing-percent=100 --import tsx bench/rss-sim.ts [targets=5000] [seconds=540] [snapshotsAt=180,480]
 * Each sample is followed by the V8 spaces as [committed, used] MiB. Measured 2026-11-27
 * (load 2-7): with gc() before samples live heap stays at 42 MiB and array buffers at 23 MiB
 * over 5 min; only the old space committed size creeps (57 -> 68 MiB), so RSS growth is V8
 * heap headroom, not a leak. Fake probes: no sockets or TLS, so the probe path is not covered.
 */
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { writeFleetConfig, syntheticResult } from './lib/synthetic-fleet.js';
import { Exporter } from '../src/exporter.js';
import { renderMetricsGzip } from '../src/metrics/registries.js';
import type { ProbeResult } from '../src/probes/result.js';

const targets = Number(process.argv[2] ?? 5000);
const seconds = Number(process.argv[3] ?? 540);
const snapshotsAt = (process.argv[4] ?? '').split(',').filter(Boolean).map(Number);
const dir = writeFleetConfig('rss-sim-', targets, '15s');
let n = 0;

const gc = (globalThis as { gc?: () => void }).gc;
const exporter = await Exporter.start({ configFile: join(dir, 'config.yml'), storagePath: dir, runProbe: () => new Promise<ProbeResult>((resolve) => setTimeout(() => resolve(syntheticResult(n++, Date.now())), 5)) });
const t0 = Date.now();
const mib = (b: number) => Number((b / 2 ** 20).toFixed(1));
const scraper = setInterval(() => void renderMetricsGzip(exporter.registries, false).catch((e: unknown) => console.error(e)), 15_000);
const sample = () => {
  gc?.();
  const m = process.memoryUsage();
  console.log(JSON.stringify({ t: Math.round((Date.now() - t0) / 1000), rss: mib(m.rss), heapUsed: mib(m.heapUsed), heapTotal: mib(m.heapTotal), external: mib(m.external), arrayBuffers: mib(m.arrayBuffers) }));
  console.log(JSON.stringify(Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name.replace('_space', ''), [mib(s.space_size), mib(s.space_used_size)]]))));
};
const sampler = setInterval(sample, 10_000);
for (const at of snapshotsAt) setTimeout(() => { gc?.(); console.log('snapshot', writeHeapSnapshot(`/tmp/leak/at-${at}.heapsnapshot`)); }, at * 1000 + 5000);
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
clearInterval(scraper);
clearInterval(sampler);
await exporter.stop();
