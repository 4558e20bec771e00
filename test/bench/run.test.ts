/**
 * `npm run bench` end to end, made tiny: every scenario once, with both exporters, the C
 * reference client, the link emulator between two namespaces and the far peers (about 40 s
 * here). It checks what every run must be, not how fast anything was: every probe answered,
 * no phase shorter than the delay the link held its packets for, no figure below what the
 * wire saw, the report written, and nothing left behind. Needs root, as the bench does.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/report/results.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const RTT_MS = 10;
const PROBES = 5;
/** Every run here: at the suite's own priority, not above the tests beside it (the default is nice -10). */
const NEIGHBOURLY = '--nice=0';
const FLAGS = [
  NEIGHBOURLY,
  '--max-minutes=3', // the harness's own watchdog ends a hung run before this test gives up
  `--accuracy.rtts=${RTT_MS}`,
  '--accuracy.no-extras',
  `--accuracy.probes=${PROBES}`,
  '--accuracy.warmup=1',
  '--accuracy.load-targets=20',
  '--accuracy.load-interval=2',
  '--accuracy.load-warmup=2',
  '--accuracy.idle-warmup=1',
  '--cpu-idle=spin',
  '--throughput.concurrency=2',
  '--throughput.seconds=1',
  '--throughput.rounds=2',
  '--throughput.warmup=1',
  '--scheduled.sizes=50',
  '--scheduled.seconds=20',
  '--scheduled.interval=5',
];

interface Run {
  code: number | null;
  /** Wall-clock seconds from start to exit. */
  seconds: number;
  pid: number;
  log: string;
  /** TMPDIR of the run: every temporary file and process of the bench carries this path. */
  tmp: string;
  out: string;
}

/** Stops the harnesses still running (SIGTERM: the harness tears its lab down), waiting for them. */
const stops: Array<() => Promise<void>> = [];

afterAll(async () => {
  await Promise.all(stops.map((stop) => stop()));
}, 60_000);

interface Started {
  exited: Promise<Run>;
  /** Resolves once the run's log holds `text`. */
  logged(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function startBench(flags: string[]): Started {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-run-test-'));
  const out = join(tmp, 'results');
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', `--out=${out}`, ...flags], {
    cwd: ROOT,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
  const exited = new Promise<Run>((resolve) =>
    child.once('exit', (code) => resolve({ code, seconds: (Date.now() - started) / 1000, pid: child.pid ?? 0, log, tmp, out })),
  );
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  stops.push(async () => {
    if (running()) child.kill('SIGTERM');
    await exited;
    rmSync(tmp, { recursive: true, force: true });
  });
  const logged = async (text: string): Promise<void> => {
    while (!log.includes(text)) {
      if (!running()) throw new Error(`the bench exited before logging "${text}":\n${log.slice(-3000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  return { exited, logged, kill: (signal) => void child.kill(signal) };
}

function bench(flags: string[]): Promise<Run> {
  return startBench(flags).exited;
}

/** Runs the bench once, before the enclosing describe's tests; the getter gives the finished run. */
function ranBefore(go: () => Promise<Run>, timeoutMs: number): () => Run {
  let run: Run | undefined;
  beforeAll(async () => {
    run = await go();
  }, timeoutMs);
  return () => run ?? expect.fail('the bench did not run');
}

function resultsOf(run: Run): BenchResults {
  return JSON.parse(readFileSync(join(run.out, 'latest.json'), 'utf8')) as BenchResults;
}

/** Every live process whose command line or environment names `path`. */
function processesNaming(path: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (cmdline.includes(path) || environ.includes(path)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Each of `lines` is in `log`, each after the one before it. */
function expectInOrder(log: string, lines: string[]): void {
  const at = lines.map((line) => log.indexOf(line));
  expect(lines.filter((_, i) => at[i] === -1)).toEqual([]);
  expect(at).toEqual([...at].sort((a, b) => a - b));
}

/** Namespaces, /etc/netns entries, processes and temporary files of `run`: none once it exited; `kept` in its TMPDIR. */
function expectNothingLeft({ pid, tmp }: Run, kept = ['results']): void {
  // bench/lib/lab.ts names them o3b<pid in base 36>_<n>-near and -far.
  const ours = new RegExp(`^o3b${pid.toString(36)}_\\d+-`);
  const namespaces = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  expect(namespaces.split('\n').filter((line) => ours.test(line))).toEqual([]);
  const etc = existsSync('/etc/netns') ? readdirSync('/etc/netns') : [];
  expect(etc.filter((name) => ours.test(name))).toEqual([]);
  expect(processesNaming(tmp)).toEqual([]);
  // tsx keeps its compile cache in TMPDIR (tsx-<uid>): not the bench's.
  expect(readdirSync(tmp).filter((name) => !name.startsWith('tsx-'))).toEqual(kept);
}

describe('npm run bench, tiny, end to end', () => {
  const current = ranBefore(() => bench(FLAGS), 240_000);
  const results = (): BenchResults => resultsOf(current());

  it('exits 0 and writes the JSON, the tables, the SVG and the PNG chart', () => {
    const { code, log, out } = current();
    expect(code, log.slice(-3000)).toBe(0);
    const r = results();
    expect(r.errors).toBeUndefined();
    const md = readFileSync(join(out, 'latest.md'), 'utf8');
    for (const heading of ['### Accuracy', '### /probe throughput and cost', '### Scheduled mode', '### Goals']) expect(md).toContain(heading);
    expect(readFileSync(join(out, 'latest.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(out, 'latest.png')).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it('lets the idle exporter settle before the first idle case, and the loaded one carry its load before the loaded cases', () => {
    const { log } = current();
    expectInOrder(log, ['accuracy: this exporter runs idle for 1 s before measuring', 'accuracy 0 ms (floor):']);
    expectInOrder(log, [`accuracy ${RTT_MS} ms:`, 'accuracy: both exporters carry the load for 2 s before measuring', `accuracy ${RTT_MS} ms, loaded:`]);
  });

  it('spins idle CPUs through the idle cases only (--cpu-idle=spin), and stops the spinners before the load', () => {
    const { log } = current();
    expectInOrder(log, ['accuracy: a SCHED_IDLE busy loop on each of', 'accuracy 0 ms (floor):']);
    expectInOrder(log, [`accuracy ${RTT_MS} ms:`, 'accuracy: idle spinners stopped', 'accuracy: starting this exporter with 20 scheduled local targets']);
  });

  it('measures the floor, the delayed and the loaded case with every client, every probe answered', () => {
    const { cases, load } = results().accuracy!;
    expect(cases.map((c) => c.label)).toEqual(['0 ms (floor)', `${RTT_MS} ms`, `${RTT_MS} ms, loaded`]);
    for (const c of cases) {
      const clients = c.exporters.map((e) => e.exporter);
      expect(clients).toEqual(c.loaded ? ['o365', 'blackbox'] : ['o365', 'blackbox', 'reference']);
      for (const e of c.exporters) {
        expect({ client: e.exporter, probes: e.probes, failures: e.failures }).toEqual({ client: e.exporter, probes: PROBES, failures: 0 });
        expect(e.phases.map((p) => p.phase)).toEqual(['dns', 'connect', 'tls', 'first_byte']);
        for (const p of e.phases) expect(p.wire.n).toBe(PROBES);
      }
    }
    expect(load.targets).toBe(20);
    expect(load.blackbox?.sent).toBeGreaterThan(0);
    expect(load.blackbox?.failed).toBe(0);
  });

  it('reports no phase shorter than the round trips the link held its packets for', () => {
    for (const c of results().accuracy!.cases) {
      for (const e of c.exporters) {
        for (const p of e.phases) {
          // nominal = reported - injected RTT x round trips, per probe.
          expect(p.nominal.min, `${c.label} ${e.exporter} ${p.phase}`).toBeGreaterThanOrEqual(0);
          if (c.rttMs > 0) expect(p.reportedMedianMs).toBeGreaterThanOrEqual(c.rttMs * p.roundTrips);
        }
      }
    }
  });

  it('reports no phase below what the link emulator saw of that very probe', () => {
    for (const c of results().accuracy!.cases) {
      for (const e of c.exporters) {
        for (const p of e.phases) expect(p.wire.min, `${c.label} ${e.exporter} ${p.phase}`).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('drives both exporters\' /probe with wrk, turn by turn, and counts their CPU and memory and the target\'s CPU', () => {
    const rows = results().throughput!;
    expect(rows.map((t) => [t.exporter, t.concurrency])).toEqual([['o365', 2], ['blackbox', 2]]);
    for (const t of rows) {
      expect(t.rounds).toHaveLength(2);
      expect(t.probes).toBeGreaterThan(0);
      expect(t.failed).toBe(0);
      expect(t.cpuSeconds).toBeGreaterThan(0);
      expect(t.peakRssBytes).toBeGreaterThan(0);
      // The local target answered every probe, so it spent CPU in every turn.
      expect(t.peerCpuPercent).toBeGreaterThan(0);
      for (const r of t.rounds ?? []) expect(r.peerCpuSeconds).toBeGreaterThan(0);
    }
  });

  it('runs the scheduled fleet, sampling RSS and scraping /metrics as Prometheus would', () => {
    const fleets = results().scheduled!;
    expect(fleets.map((f) => f.targets)).toEqual([50]);
    const fleet = fleets[0]!;
    expect(fleet.failures).toBe(0);
    expect(fleet.failedScrapes).toBe(0);
    expect(fleet.probesPerSecond).toBeGreaterThan(0);
    expect(fleet.scrapes.length).toBeGreaterThan(0);
    expect(fleet.metricsBytes).toBeGreaterThan(0);
    expect(fleet.samples.length).toBeGreaterThan(10);
  });

  it('leaves no namespace, process or temporary file behind', () => {
    expectNothingLeft(current());
  });
});

describe('npm run bench past --max-minutes', () => {
  // Bounded by its watchdog: 0.4 min, inside the 2-minute scheduled scenario it was asked for.
  const current = ranBefore(() => bench([NEIGHBOURLY, '--max-minutes=0.4', '--only=scheduled', '--scheduled.sizes=50', '--scheduled.seconds=120']), 120_000);

  it('stops by itself, says so, exits 2 and still writes what it measured', () => {
    const { code, log, seconds } = current();
    expect(code, log.slice(-3000)).toBe(2);
    expect(log).toContain('run exceeded --max-minutes=0.4: stopping, writing what was measured');
    expect(seconds).toBeLessThan(120);
    const r = resultsOf(current());
    expect(r.flags.only).toEqual(['scheduled']);
    expect(r.lab?.link).toBeDefined();
  });

  it('leaves no namespace, process or temporary file behind', () => {
    expectNothingLeft(current());
  });
});

describe('npm run bench stopped with Ctrl-C', () => {
  const current = ranBefore(async () => {
    const started = startBench([NEIGHBOURLY, '--only=scheduled', '--scheduled.sizes=50', '--scheduled.seconds=120']);
    await started.logged('scheduled 50 targets: exporter up');
    started.kill('SIGINT');
    return started.exited;
  }, 120_000);

  it('tears its lab down and exits 130', () => {
    const { code, log } = current();
    expect(code, log.slice(-3000)).toBe(130);
  });

  it('leaves no namespace, process or temporary file behind', () => {
    // Stopped before any result was written: not even the results directory.
    expectNothingLeft(current(), []);
  });
});
