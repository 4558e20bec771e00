/**
 * One group of the fault matrix through the running exporter (built dist/, a real child
 * process): it starts with the healthy target alone (baseline of descriptors, timers and
 * memory), a reload adds the fault targets, the window runs while /metrics is scraped and
 * timed every 200 ms, a reload removes them again and the process must give back what it
 * took. The tests then assert on what was recorded (see fault-assert.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Series } from './exposition.js';
import { select, valueOf } from './exposition.js';
import { poll, startExporter, tempDir, type ExporterProcess } from './process.js';
import { procSample, type ProcSample } from './proc-stats.js';
import { timedClient, type TimedClient, type Via } from './timed-http.js';
import type { Phase, Reason } from '../../src/probes/result.js';

export type Expected = { phase: Phase; reason: Reason } | { success: true; statusCode?: number };

export interface FaultCase {
  /** The target name (label `target`). */
  name: string;
  /**
   * The rest of the target as a YAML flow mapping body, e.g. `url: "https://127.0.0.1:1/"`;
   * a function when it names a peer started in beforeAll (the table is read at collection time).
   */
  target: string | (() => string);
  expect: Expected;
}

export interface GroupSpec {
  /** Top-level YAML placed before `targets:` (resolvers, discovery...). */
  head?: string;
  /** The healthy target's YAML flow body; its name is always "healthy". */
  healthy: string;
  cases: FaultCase[];
  interval?: string;
  timeout?: string;
  /** Extra flags, a command prefix (ip netns exec) and how to reach /metrics when not on the logged port. */
  args?: string[];
  prefix?: string[];
  via?: Via;
  /** Least time the faults run; the window also lasts until every fault target ran 3 times. */
  minWindowMs?: number;
}

/** What the exporter holds: from /proc and from its own nodejs_* series. */
export interface Holdings extends ProcSample {
  /** nodejs_active_resources{type="Timeout"}: live timers. */
  timers: number;
  /** Sum of nodejs_active_handles{type}: sockets, servers, child processes... */
  handles: number;
}

export interface Scrape {
  at: number;
  ms: number;
  series: Series[];
}

export interface FaultWindow {
  scrapes: Scrape[];
  first: Scrape;
  last: Scrape;
}

export const HEALTHY = 'healthy';

function holdingsOf(pid: number, series: Series[]): Holdings {
  const timers = valueOf(series, 'nodejs_active_resources', { type: 'Timeout' }) ?? 0;
  const handles = select(series, 'nodejs_active_handles').reduce((sum, s) => sum + s.value, 0);
  return { ...procSample(pid), timers, handles };
}

export class FaultGroup {
  readonly scrapes: Scrape[] = [];
  baseline?: Holdings;
  /** The most held at any scrape of the fault window (shows the check after it means something). */
  peak?: Holdings;
  after?: Holdings;
  window?: FaultWindow;

  private constructor(
    readonly spec: GroupSpec,
    readonly exporter: ExporterProcess,
    readonly client: TimedClient,
  ) {}

  static async start(spec: GroupSpec): Promise<FaultGroup> {
    // Never the default ./data: the repo checkout is not the exporter's to write.
    const storage = tempDir('o365-faults-data-');
    const args = spec.args?.some((a) => a.startsWith('--storage.path=')) ? spec.args : [...(spec.args ?? []), `--storage.path=${storage.dir}`];
    // The 1 s bound is about network faults, not about the soak or a browser test that the
    // suite runs beside it on two shared cores: the exporter under test runs a little ahead of
    // them (nice execs, the pid stays node's). Starting it takes seconds when the machine is busy.
    const prefix = ['nice', '-n', '-5', ...(spec.prefix ?? [])];
    const exporter = await startExporter(configYaml(spec, false), { args, prefix, waitReady: spec.via === undefined, startTimeoutMs: 45_000 }).catch((err: unknown) => {
      storage.cleanup();
      throw err;
    });
    void exporter.exited.then(() => storage.cleanup());
    const group = new FaultGroup(spec, exporter, timedClient(spec.via ?? { port: exporter.port }));
    try {
      await poll('the healthy target probed twice', async () => ((await group.probes(HEALTHY)) >= 2 ? true : undefined), 20_000, 200);
      group.baseline = await group.holdings();
    } catch (err) {
      await exporter.stop('SIGKILL');
      throw err;
    }
    return group;
  }

  get pid(): number {
    const pid = this.exporter.child.pid;
    if (pid === undefined) throw new Error('exporter has no pid');
    return pid;
  }

  /** Scrapes, times and keeps the answer (every scrape of the group counts for the 1 s bound). */
  async scrape(): Promise<Scrape> {
    const { series, ms } = await this.client.scrape();
    const scrape = { at: performance.now(), ms, series };
    this.scrapes.push(scrape);
    return scrape;
  }

  async probes(target: string): Promise<number> {
    return valueOf((await this.scrape()).series, 'o365_probes_total', { target }) ?? 0;
  }

  async holdings(): Promise<Holdings> {
    return holdingsOf(this.pid, (await this.scrape()).series);
  }

  /** Rewrites the config and sends SIGHUP; resolves once the exporter schedules `targets` config targets. */
  async reload(withFaults: boolean): Promise<void> {
    writeFileSync(this.exporter.configFile, configYaml(this.spec, withFaults));
    this.exporter.child.kill('SIGHUP');
    const want = withFaults ? 1 + this.spec.cases.length : 1;
    await poll(`${want} config targets after reload`, async () => (valueOf((await this.scrape()).series, 'o365_exporter_targets', { source: 'config' }) === want ? true : undefined), 15_000, 100);
  }

  /** Adds the faults and scrapes every 200 ms until each fault target ran 3 times (and minWindowMs passed). */
  async runFaults(): Promise<FaultWindow> {
    await this.reload(true);
    const first = await this.scrape();
    const scrapes = [first];
    const minMs = this.spec.minWindowMs ?? 6000;
    const ranThrice = (s: Scrape) => this.spec.cases.every((c) => (valueOf(s.series, 'o365_probes_total', { target: c.name }) ?? 0) >= 3);
    await poll('every fault target probed 3 times', async () => {
      const s = await this.scrape();
      scrapes.push(s);
      this.recordPeak(holdingsOf(this.pid, s.series));
      return s.at - first.at >= minMs && ranThrice(s) ? true : undefined;
    }, 60_000, 200);
    this.window = { scrapes, first, last: scrapes.at(-1) as Scrape };
    return this.window;
  }

  /**
   * Removes the faults and waits (up to 15 s: probes in flight end within their timeout)
   * until descriptors and timers are back to the baseline plus `slack`; returns what was held then.
   */
  async removeFaults(slack = 2): Promise<Holdings> {
    await this.reload(false);
    const base = this.baseline as Holdings;
    let last = await this.holdings();
    await poll('descriptors and timers back to the baseline', async () => {
      last = await this.holdings();
      return last.fds <= base.fds + slack && last.timers <= base.timers + slack ? true : undefined;
    }, 15_000, 250).catch(() => undefined); // the assertion in the test reports the numbers
    this.after = last;
    return last;
  }

  private recordPeak(h: Holdings): void {
    const p = this.peak;
    this.peak = p ? { ...h, fds: Math.max(p.fds, h.fds), timers: Math.max(p.timers, h.timers), handles: Math.max(p.handles, h.handles), rssBytes: Math.max(p.rssBytes, h.rssBytes) } : h;
  }

  /** The slowest /metrics answer of the whole group, in ms. */
  maxScrapeMs(): number {
    return Math.max(...this.scrapes.map((s) => s.ms));
  }

  async stop(): Promise<void> {
    await this.exporter.stop('SIGKILL');
  }
}

/** Defaults and targets, the healthy one first; fault targets only `withFaults`. */
export function configYaml(spec: GroupSpec, withFaults: boolean): string {
  const targets = [`  - {name: ${HEALTHY}, ${spec.healthy}}`, ...(withFaults ? spec.cases.map((c) => `  - {name: ${c.name}, ${typeof c.target === 'string' ? c.target : c.target()}}`) : [])];
  return `${spec.head ?? ''}defaults: {interval: ${spec.interval ?? '1s'}, timeout: ${spec.timeout ?? '1.5s'}}\ntargets:\n${targets.join('\n')}\n`;
}
