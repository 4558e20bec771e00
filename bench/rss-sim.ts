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
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { Exporter } from '../src/exporter.js';
import { renderMetricsGzip } from '../src/metrics/registries.js';
import type { ProbeResult } from '../src/probes/result.js';

const targets = Number(process.argv[2] ?? 5000);
const seconds = Number(process.argv[3] ?? 540);
const snapshotsAt = (process.argv[4] ?? '').split(',').filter(Boolean).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'rss-sim-'));
const lines = ['defaults:', '  interval: 15s', 'labels: { site: bench }', 'targets:'];
for (let i = 0; i < targets; i++) lines.push(`  - { name: t${String(i).padStart(5, '0')}, url: "https://127.1.${i >> 8}.${i & 255}:8443/" }`);
writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);

let n = 0;
function result(): ProbeResult {
  const startedAt = Date.now();
  const r = (x: number) => x * (1 + (n++ % 97) / 100);
  return {
    success: true, startedAt, durationSeconds: r(0.12), address: '127.1.0.1',
    phases: { connect: r(0.011), tls: r(0.025), first_byte: r(0.06), transfer: r(0.002) },
    http: { statusCode: 200, httpVersion: '1.1', headers: { server: 'bench' }, bodyBytes: 10 },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'CN=x', issuer: 'CN=Bench CA', notAfter: 1_800_000_000, notBefore: 1_700_000_000, fingerprint256: 'aa' }] },
  } as unknown as ProbeResult;
}

const gc = (globalThis as { gc?: () => void }).gc;
const exporter = await Exporter.start({ configFile: join(dir, 'config.yml'), storagePath: dir, runProbe: () => new Promise<ProbeResult>((resolve) => setTimeout(() => resolve(result()), 5)) });
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
