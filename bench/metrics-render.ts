/**
 * In-process micro-measure of /metrics rendering (the bytes /metrics sends): N scheduled targets with a full HTTPS
 * result each (DNS, connect, TLS, HTTP), rendered through renderMetrics as a scrape would.
 *   node --import tsx bench/metrics-render.ts [targets=5000] [rounds=5]
 * Prints the median and max render time (wall and CPU), the body size and lines per target.
 */
import { performance } from 'node:perf_hooks';
import type { ScheduledTarget } from '../src/config/targets.js';
import { ProbeMetrics } from '../src/metrics/probe-metrics.js';
import { createRegistries, renderMetricsBytes, setConstantLabels } from '../src/metrics/registries.js';
import type { ProbeResult } from '../src/probes/result.js';
import { ResultStore } from '../src/scheduler/results.js';

const targets = Number(process.argv[2] ?? 5000);
const rounds = Number(process.argv[3] ?? 5);

function target(i: number): ScheduledTarget {
  const name = `t${i}.bench.test`;
  return {
    key: `${name}|direct`, name, service: ['Exchange', 'SharePoint', 'Teams', 'Common'][i % 4] as string, category: 'Optimize', path: 'direct', intervalSeconds: 15,
    target: { name, spec: { kind: 'tcp', host: name, port: 443 } },
    options: { timeoutSeconds: 5, ipVersion: 'prefer_ipv4', resolvers: [], tls: { insecureSkipVerify: false }, http: { maxBodyBytes: 1 << 20, maxHeaderBytes: 1 << 16 } },
    source: 'config',
  } as ScheduledTarget;
}

function result(i: number): ProbeResult {
  const r = (x: number) => x * (1 + (i % 97) / 100);
  return {
    success: true, startedAt: Date.now(), durationSeconds: r(0.12), address: '127.1.0.1',
    phases: { dns: r(0.004), connect: r(0.011), tls: r(0.025), first_byte: r(0.06), transfer: r(0.002) },
    http: { statusCode: 200, httpVersion: '1.1', headers: {}, bodyBytes: 10 },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'CN=x', issuer: 'CN=Bench CA', notAfter: 1_800_000_000, notBefore: 1_700_000_000, fingerprint256: 'aa' }] },
    dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames: ['a.bench.test'], addresses: ['127.1.0.1'] },
  } as ProbeResult;
}

const registries = createRegistries();
setConstantLabels(registries, { site: 'bench' });
const store = new ResultStore();
const observers = [store, new ProbeMetrics(registries, store)];
const all = Array.from({ length: targets }, (_, i) => target(i));
const feedAll = () => all.forEach((t, i) => observers.forEach((o) => o.observe(t, result(i))));
feedAll();

const times: number[] = [];
const cpu: number[] = [];
let size = 0;
let lines = 0;
for (let round = 0; round < rounds; round++) {
  // Every target has a new result between scrapes, as at a 15 s interval and scrape.
  if (round % 2 === 1) feedAll();
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const { body } = await renderMetricsBytes(registries, false);
  times.push(performance.now() - start);
  const used = process.cpuUsage(cpuStart);
  cpu.push((used.user + used.system) / 1000);
  size = body.length;
  lines = body.toString().split('\n').filter((l) => l.includes(`target="t1.bench.test"`)).length;
}
times.sort((a, b) => a - b);
cpu.sort((a, b) => a - b);
const heap = process.memoryUsage();
console.log(JSON.stringify({
  targets, rounds, medianMs: Number(times[Math.floor(times.length / 2)]?.toFixed(1)), maxMs: Number(times.at(-1)?.toFixed(1)),
  // CPU time of the render: less sensitive than wall time to other work on a shared machine.
  medianCpuMs: Number(cpu[Math.floor(cpu.length / 2)]?.toFixed(1)),
  bodyMB: Number((size / 1e6).toFixed(2)), linesPerTarget: lines, heapUsedMiB: Math.round(heap.heapUsed / 2 ** 20), rssMiB: Math.round(heap.rss / 2 ** 20),
}));
