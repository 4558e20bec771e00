/**
 * `npm run bench`: builds, then measures this exporter beside prometheus-blackbox-exporter
 * (accuracy over an emulated link, /probe throughput, scheduled mode at site sizes) and
 * writes bench/results/latest.{json,md,svg,png}. Needs root (namespaces, TUN), cc (or python3), nginx + dnsmasq (or Node peers), wrk.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, setPriority, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeCpuIdle, holdCpuIdle, type CpuIdleHold } from './lib/cpu-idle.js';
import { exporterRuntime, type ExporterRuntime } from './lib/exporters.js';
import { parseBenchFlags, type BenchFlags, type Scenario } from './lib/flags.js';
import { createLab, type Lab } from './lib/lab.js';
import { missingMessage, missingTools } from './lib/preflight.js';
import { machineCpuSeconds, stopAll } from './lib/procs.js';
import { useScratchRoot } from './lib/scratch.js';
import { chartLayout, chartSvg, WIDTH } from './report/chart.js';
import { svgToPng } from './report/png.js';
import { describeMachine, type BenchResults } from './report/results.js';
import { summaryMarkdown } from './report/summary.js';
import { runAccuracy } from './scenarios/accuracy.js';
import { startPeers, type BenchEnv } from './scenarios/env.js';
import { runScheduled } from './scenarios/scheduled.js';
import { runThroughput } from './scenarios/throughput.js';

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** The report (md, svg, png) at `base`.{md,svg,png}; returns the tool that drew the PNG. */
function writeReport(base: string, results: BenchResults): string | undefined {
  const markdown = summaryMarkdown(results);
  writeFileSync(`${base}.md`, markdown);
  writeFileSync(`${base}.svg`, chartSvg(results));
  process.stdout.write(`\n${markdown}\n`);
  return svgToPng(`${base}.svg`, `${base}.png`, WIDTH, chartLayout(results).height);
}

function pngNote(tool: string | undefined): string {
  return tool ? ` (PNG by ${tool})` : ' (no rsvg-convert or chromium: no PNG)';
}

function writeResults(flags: BenchFlags, results: BenchResults): void {
  const dir = resolve(flags.outDir);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 1)}\n`);
  const tool = writeReport(join(dir, 'latest'), results);
  log(`results in ${dir}/latest.{json,md,svg${tool ? ',png' : ''}}${pngNote(tool)}`);
}

/** --render=FILE.json: the report beside it, FILE.{md,svg,png}; the JSON and latest.* untouched. */
function renderBeside(file: string): void {
  const base = resolve(file).replace(/\.json$/, '');
  const tool = writeReport(base, JSON.parse(readFileSync(file, 'utf8')) as BenchResults);
  log(`report in ${base}.{md,svg${tool ? ',png' : ''}}${pngNote(tool)}`);
}

/**
 * With autogroup scheduling (sched_autogroup_enabled), niceness only ranks processes of one
 * session; the session's group competes with other sessions by its own nice. Both are set.
 */
function raisePriority(nice: number): void {
  setPriority(nice);
  try {
    writeFileSync('/proc/self/autogroup', String(nice));
  } catch {
    // no autogroup on this kernel: process niceness is enough
  }
}

function clockText(clock: Lab['linkClock']): string {
  if (clock.kind === 'kernel') return "the kernel's hand-over to the TUN device";
  return clock.why ? `its own read: ${clock.why}` : 'its own read';
}

/** Exit code 2 with the reason when this run cannot start: not root, or tools missing. */
function cannotStart(flags: BenchFlags): number | undefined {
  if (process.getuid?.() !== 0) {
    process.stderr.write('bench: needs root (ip netns, TUN devices); run it as root or in a root container\n');
    return 2;
  }
  const missing = missingTools(flags);
  if (missing.length === 0) return undefined;
  process.stderr.write(missingMessage(missing));
  return 2;
}

/** What the lab ran on, for the results JSON and the report's conditions line. */
function labSummary(flags: BenchFlags, lab: Lab, env: BenchEnv, runtime: ExporterRuntime, idle: CpuIdleHold): BenchResults['lab'] {
  return {
    link: lab.link.kind,
    linkClock: lab.linkClock.kind,
    far: env.farKind,
    certKey: flags.certKey,
    ...(flags.probeThreads === undefined ? {} : { probeThreads: flags.probeThreads }),
    exporterNode: { node: runtime.node, openssl: runtime.openssl },
    cpuIdle: idle.state,
  };
}

/** The asked-for scenarios in order; a failing one is reported and the next one still runs. */
async function runScenarios(env: BenchEnv, flags: BenchFlags, results: BenchResults): Promise<void> {
  const attempt = async (scenario: Scenario, run: () => Promise<unknown>) => {
    if (!flags.only.includes(scenario)) return;
    try {
      await run();
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      log(`${scenario} failed: ${message}`);
      (results.errors ??= []).push({ scenario, message });
    }
  };
  await attempt('accuracy', () => runAccuracy(env, flags.accuracy, (results.accuracy = { cases: [], load: { targets: 0, intervalSeconds: 0 } })));
  await attempt('throughput', () => runThroughput(env, flags.throughput, (results.throughput = [])));
  await attempt('scheduled', () => runScheduled(env, flags.scheduled, (results.scheduled = [])));
}

/**
 * The bound on the whole run: whatever hangs, the namespaces and processes go away, and the
 * scenarios finished so far are still written (exit 2). Ctrl-C and SIGTERM clean up too (130).
 */
function armBounds(maxMinutes: number, cleanup: () => Promise<void>, finish: () => void): NodeJS.Timeout {
  const watchdog = setTimeout(() => {
    log(`run exceeded --max-minutes=${maxMinutes}: stopping, writing what was measured`);
    void cleanup()
      .then(finish)
      .finally(() => process.exit(2));
  }, maxMinutes * 60_000);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(130)));
  return watchdog;
}

async function main(): Promise<number> {
  let flags: BenchFlags;
  try {
    flags = parseBenchFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 2;
  }
  if (flags.render) {
    renderBeside(flags.render);
    return 0;
  }
  const refused = cannotStart(flags);
  if (refused !== undefined) return refused;
  // Before any namespace exists: a wrong path fails here, naming the flag.
  const runtime = exporterRuntime(flags.exporterNode);
  const started = Date.now();
  // The run's own directory: its certificates, and every scratch directory of the scenarios.
  const runDir = mkdtempSync(join(tmpdir(), 'o365-bench-'));
  useScratchRoot(runDir);
  let lab: Lab | undefined;
  let idle: CpuIdleHold | undefined;
  const cleanup = async () => {
    await stopAll();
    await lab?.close();
    idle?.release();
    rmSync(runDir, { recursive: true, force: true });
  };
  const results: BenchResults = { date: new Date().toISOString(), machine: describeMachine(), flags, durationSeconds: 0, loadAverage: { start: loadavg() } };
  const steal0 = machineCpuSeconds().steal;
  const finish = () => {
    results.durationSeconds = (Date.now() - started) / 1000;
    results.stealPercent = ((machineCpuSeconds().steal - steal0) / results.durationSeconds) * 100;
    results.loadAverage.end = loadavg();
    writeResults(flags, results);
  };
  const watchdog = armBounds(flags.maxMinutes, cleanup, finish);
  try {
    if (flags.nice !== 0) raisePriority(flags.nice);
    idle = holdCpuIdle(flags.cpuIdle);
    log(`CPU idle: ${describeCpuIdle(idle.state)}`);
    lab = await createLab({ maxSeconds: flags.maxMinutes * 60 + 60, nice: flags.nice, realtimeLink: flags.realtimeLink, linkKind: flags.link, linkClock: flags.linkClock });
    const env = { ...(await startPeers(lab, runDir, log, flags.far, flags.certKey)), probeThreads: flags.probeThreads, exporterNode: runtime.path, idleSpin: flags.cpuIdle === 'spin' };
    log(`lab up: namespaces ${lab.near} / ${lab.far}, far peers (${env.farKind}) at ${lab.farAddress}, link emulator ${lab.link.kind} (packet times from ${clockText(lab.linkClock)}), o365-exporter on Node ${runtime.node} (${runtime.path})`);
    results.lab = labSummary(flags, lab, env, runtime, idle);
    await runScenarios(env, flags, results);
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
  finish();
  return results.errors ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
