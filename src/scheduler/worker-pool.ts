/**
 * Runs probes on a pool of worker threads (config `scheduler.probe_threads`; 0 runs them on
 * the main thread). Each probe goes to the thread with the fewest running; a thread that
 * dies fails only its own running probes (internal_error) and is replaced a second later.
 * With no live thread (all dying at once, or a thread that cannot start) probes run on the
 * main thread rather than not at all.
 */
import { Worker } from 'node:worker_threads';
import { runProbe as runInProcess } from '../probes/index.js';
import type { ProbeResult } from '../probes/result.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from '../probes/target.js';
import { now, secondsSince } from '../util/clock.js';
import type { Logger } from '../util/log.js';
import { abortMessage, runMessage, type FromWorker } from './worker-messages.js';

export interface ThreadLag {
  p50: number;
  p99: number;
  max: number;
}

interface Task {
  resolve(result: ProbeResult): void;
  startedAt: number;
  start: bigint;
  onAbort(): void;
  signal: AbortSignal;
}

interface Thread {
  index: number;
  worker: Worker;
  /** Settles once the thread has loaded the probes (or exited trying). */
  ready: Promise<void>;
  markReady(): void;
  tasks: Map<number, Task>;
  retiring: boolean;
  lag?: ThreadLag;
}

export interface WorkerPoolHooks {
  threadRestarted?(): void;
}

const RESTART_DELAY_MS = 1000;
const READY_TIMEOUT_MS = 10_000;

/** The worker's module: compiled JS beside this file, or under tsx (tests, `node --import tsx`) the TS source. */
function spawn(): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./probe-worker.js', here));
  const source = JSON.stringify(new URL('./probe-worker.ts', here).href);
  // A worker's own --import runs after its entry module loads; register tsx first instead.
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${source}); })`, { eval: true });
}

export class WorkerPool {
  private readonly threads: Thread[] = [];
  private nextId = 1;
  private wanted = 0;
  private closed = false;
  private readonly restartTimers = new Set<NodeJS.Timeout>();

  constructor(
    size: number,
    private readonly logger: Logger,
    private readonly hooks: WorkerPoolHooks = {},
  ) {
    this.resize(size);
  }

  /** Threads probing now (not counting ones finishing their last probes before leaving). */
  get size(): number {
    return this.threads.filter((t) => !t.retiring).length;
  }

  /** Event-loop delay of each thread over its last report window, by thread index. */
  lag(): Map<number, ThreadLag> {
    return new Map(this.threads.filter((t) => t.lag && !t.retiring).map((t) => [t.index, t.lag as ThreadLag]));
  }

  /**
   * Starts or retires threads to reach `size`. Resolves when the new threads have loaded the
   * probes (a few tens of ms), so a first round of probes is not timed on threads still
   * starting; a thread that dies meanwhile resolves too (its probes go elsewhere).
   */
  resize(size: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.wanted = size;
    const live = this.threads.filter((t) => !t.retiring);
    const started: Thread[] = [];
    for (let i = live.length; i < size; i++) started.push(this.start(this.freeIndex()));
    for (const thread of live.slice(size)) this.retire(thread);
    // Bounded: a thread that neither loads nor exits must not hold a config load forever.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => (timer = setTimeout(resolve, READY_TIMEOUT_MS)));
    return Promise.race([Promise.all(started.map((t) => t.ready)), bound]).then(() => clearTimeout(timer));
  }

  readonly run = (target: ProbeTarget, options: ProbeOptions, ctx: ProbeContext): Promise<ProbeResult> => {
    const thread = this.pick();
    if (!thread) return runInProcess(target, options, ctx);
    const id = this.nextId++;
    return new Promise<ProbeResult>((resolve) => {
      const onAbort = () => thread.worker.postMessage(abortMessage(id, ctx.signal.reason));
      thread.tasks.set(id, { resolve, startedAt: Date.now(), start: now(), onAbort, signal: ctx.signal });
      thread.worker.postMessage(runMessage(id, target, options));
      if (ctx.signal.aborted) onAbort();
      else ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  };

  /** Fails what is still running (stop has aborted it already) and ends every thread. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.restartTimers) clearTimeout(timer);
    const threads = this.threads.splice(0);
    for (const thread of threads) this.failAll(thread, 'exporter stopping');
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private pick(): Thread | undefined {
    let best: Thread | undefined;
    for (const t of this.threads) if (!t.retiring && (!best || t.tasks.size < best.tasks.size)) best = t;
    return best;
  }

  private freeIndex(): number {
    const used = new Set(this.threads.map((t) => t.index));
    let i = 0;
    while (used.has(i)) i++;
    return i;
  }

  private start(index: number): Thread {
    let markReady = () => {};
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const thread: Thread = { index, worker: spawn(), ready, markReady, tasks: new Map(), retiring: false };
    this.threads.push(thread);
    thread.worker.unref();
    thread.worker.on('message', (m: FromWorker) => this.onMessage(thread, m));
    thread.worker.on('error', (err) => this.logger.error('probe thread failed', { thread: index, error: err.message }));
    thread.worker.once('exit', (code) => this.onExit(thread, code));
    return thread;
  }

  private onMessage(thread: Thread, m: FromWorker): void {
    if (m.type === 'ready') return thread.markReady();
    if (m.type === 'lag') {
      thread.lag = { p50: m.p50, p99: m.p99, max: m.max };
      return;
    }
    const task = thread.tasks.get(m.id);
    if (!task) return;
    this.settle(thread, m.id, task, m.type === 'result' ? m.result : internalError(task, m.message));
    if (thread.retiring && thread.tasks.size === 0) void thread.worker.terminate();
  }

  private settle(thread: Thread, id: number, task: Task, result: ProbeResult): void {
    thread.tasks.delete(id);
    task.signal.removeEventListener('abort', task.onAbort);
    task.resolve(result);
  }

  private retire(thread: Thread): void {
    thread.retiring = true;
    if (thread.tasks.size === 0) void thread.worker.terminate();
  }

  private onExit(thread: Thread, code: number): void {
    const at = this.threads.indexOf(thread);
    if (at >= 0) this.threads.splice(at, 1);
    thread.markReady();
    this.failAll(thread, `probe thread ${thread.index} exited (code ${code})`);
    if (this.closed || thread.retiring) return;
    this.logger.error('probe thread exited, replacing it', { thread: thread.index, code });
    this.hooks.threadRestarted?.();
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      if (!this.closed && this.size < this.wanted) void this.start(this.freeIndex());
    }, RESTART_DELAY_MS);
    timer.unref();
    this.restartTimers.add(timer);
  }

  private failAll(thread: Thread, message: string): void {
    for (const [id, task] of thread.tasks) this.settle(thread, id, task, internalError(task, message));
  }
}

/** No phase result came back: the failure is put on the first phase, as runPhases does before any step. */
function internalError(task: Task, message: string): ProbeResult {
  return { success: false, startedAt: task.startedAt, durationSeconds: secondsSince(task.start), phases: {}, failure: { phase: 'dns', reason: 'internal_error', message } };
}
