/**
 * Throughput and cost of /probe: wrk drives each exporter in turn against the same local
 * HTTPS target (a full dns-less connect + TLS + GET per request) at a few concurrencies;
 * CPU from /proc/<pid>/stat, peak RSS from VmHWM (reset before each step).
 */
import { join } from 'node:path';
import { blackboxConfig, BLACKBOX_MODULE_LOCAL, LOCAL_PORT, o365Config, O365_MODULE_LOCAL } from '../lib/configs.js';
import { REPO_ROOT, startBlackbox, startO365, type Exporter } from '../lib/exporters.js';
import { cpuSeconds, memory, resetPeak } from '../lib/procs.js';
import type { BenchEnv } from './env.js';

export interface ThroughputOptions {
  concurrency: number[];
  seconds: number;
  warmupSeconds: number;
}

export interface ThroughputStep {
  exporter: Exporter['kind'];
  concurrency: number;
  seconds: number;
  /** Answers with probe_success 1. */
  probes: number;
  /** Non-200 answers, failed probes and socket errors. */
  failed: number;
  probesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuSeconds: number;
  cpuSecondsPer1000: number;
  probesPerCpuSecond: number;
  peakRssBytes: number;
}

interface WrkSummary {
  requests: number;
  duration_us: number;
  ok: number;
  bad: number;
  errors: number;
  p50_us: number;
  p99_us: number;
}

const LUA = join(REPO_ROOT, 'bench', 'wrk', 'probe.lua');

async function wrk(env: BenchEnv, url: string, concurrency: number, seconds: number): Promise<WrkSummary> {
  const threads = String(Math.min(2, concurrency));
  const proc = env.lab.exec(env.lab.near, `wrk -c${concurrency}`, 'wrk', [
    '-t', threads, '-c', String(concurrency), '-d', `${seconds}s`, '--timeout', '15s', '-s', LUA, url,
  ]);
  const guard = setTimeout(() => void proc.stop(), (seconds + 30) * 1000);
  const code = await proc.exited;
  clearTimeout(guard);
  const line = /WRK_JSON (\{.*\})/.exec(proc.output());
  if (!line?.[1]) throw new Error(`wrk exited ${code} without a summary:\n${proc.output().slice(-1500)}`);
  return JSON.parse(line[1]) as WrkSummary;
}

async function step(env: BenchEnv, exporter: Exporter, url: string, concurrency: number, seconds: number): Promise<ThroughputStep> {
  const pid = exporter.proc.pid;
  resetPeak(pid);
  const cpu0 = cpuSeconds(pid);
  const w = await wrk(env, url, concurrency, seconds);
  const cpu = cpuSeconds(pid) - cpu0;
  const wall = w.duration_us / 1e6;
  return {
    exporter: exporter.kind,
    concurrency,
    seconds: wall,
    probes: w.ok,
    failed: w.bad + w.errors,
    probesPerSecond: w.ok / wall,
    p50Ms: w.p50_us / 1000,
    p99Ms: w.p99_us / 1000,
    cpuSeconds: cpu,
    cpuSecondsPer1000: w.ok > 0 ? (cpu / w.ok) * 1000 : NaN,
    probesPerCpuSecond: cpu > 0 ? w.ok / cpu : NaN,
    peakRssBytes: memory(pid).peak,
  };
}

/** Appends to `steps` as each one finishes, so a run stopped midway keeps what it measured. */
export async function runThroughput(env: BenchEnv, o: ThroughputOptions, steps: ThroughputStep[] = []): Promise<ThroughputStep[]> {
  const target = encodeURIComponent(`https://127.0.0.1:${LOCAL_PORT}/`);
  const makers: [() => Promise<Exporter>, string][] = [
    [() => startO365(env.lab, o365Config({ caFile: env.certs.caFile, targets: 0, intervalSeconds: 15 }), env.certs.caFile), O365_MODULE_LOCAL],
    [() => startBlackbox(env.lab, blackboxConfig(env.certs.caFile)), BLACKBOX_MODULE_LOCAL],
  ];
  for (const [make, module] of makers) {
    const exporter = await make();
    try {
      const url = `${exporter.baseUrl}/probe?target=${target}&module=${module}`;
      // Unmeasured: JIT warm-up for node, the first TLS contexts for both.
      if (o.warmupSeconds > 0) await wrk(env, url, Math.max(...o.concurrency), o.warmupSeconds);
      for (const c of o.concurrency) {
        const s = await step(env, exporter, url, c, o.seconds);
        steps.push(s);
        env.log(`throughput ${exporter.kind} c=${c}: ${s.probesPerSecond.toFixed(0)} probes/s, ${s.cpuSecondsPer1000.toFixed(2)} CPU s/1000, failed ${s.failed}`);
      }
    } finally {
      await exporter.stop();
    }
  }
  return steps;
}
