/**
 * In-process measure of one /metrics render with the real Exporter (all metric sources):
 * N HTTPS targets, every one with a new result between scrapes (15 s interval and scrape).
 *   node --import tsx bench/scrape-render.ts [targets=5000] [rounds=7]
 * Prints per round the CPU time to re-feed results (observe, all observers), and the time of a
 * plain and of a gzip render (wall, CPU) in ms, a second after the results (idle passes done).
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeFleetConfig, syntheticResult } from './lib/synthetic-fleet.js';
import { Exporter } from '../src/exporter.js';
import { renderMetricsBytes, renderMetricsGzip } from '../src/metrics/registries.js';
import type { ProbeResult } from '../src/probes/result.js';
import type { ResultObserver } from '../src/scheduler/results.js';

const targets = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 7);
const dir = writeFleetConfig('scrape-render-', targets, '3600s');

// Never fires in the measure (1 h interval); results are fed to the observers directly.
const exporter = await Exporter.start({ configFile: join(dir, 'config.yml'), storagePath: dir, runProbe: () => new Promise<ProbeResult>(() => undefined) });
const scheduler = exporter.scheduler as unknown as { observers: ResultObserver[] };
const all = exporter.scheduler.targets;
const feedAll = (round: number) => all.forEach((t, i) => scheduler.observers.forEach((o) => o.observe(t, syntheticResult(i + round * 15_000, 1_700_000_000_000 + round * 15_000 + i))));
const ms = (n: number) => Number(n.toFixed(1));
for (let round = 0; round < rounds; round++) {
  const f0 = process.cpuUsage();
  feedAll(round);
  const fed = process.cpuUsage(f0);
  // Results arrive spread over the interval: background rebuilds have had their second.
  await new Promise((resolve) => setTimeout(resolve, 1200));
  const timed = async (render: typeof renderMetricsBytes) => {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const { body } = await render(exporter.registries, false);
    const used = process.cpuUsage(cpuStart);
    return { ms: ms(performance.now() - start), cpuMs: ms((used.user + used.system) / 1000), MB: Number((body.length / 1e6).toFixed(2)) };
  };
  // gzip first: the plain render would otherwise find every block already rebuilt by it.
  const gzip = await timed(renderMetricsGzip);
  const plain = await timed(renderMetricsBytes);
  console.log(JSON.stringify({ round, feedCpuMs: ms((fed.user + fed.system) / 1000), gzip, plain, rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20) }));
}
await exporter.stop();
