/**
 * Runs every target on its interval: a first run at start (so /-/ready comes quickly; spread
 * over up to one interval when thousands of targets arrive together), then
 * on slots spread over the interval; never overlapping itself (a busy slot is counted as
 * missed), bounded by its timeout, and at most `maxConcurrency` probes at once.
 */
import { setMaxListeners } from 'node:events';
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from '../probes/target.js';
import { Limiter } from './limiter.js';
import type { ResultObserver } from './results.js';
import { nextSlot, slotOffset } from './spread.js';

export type RunProbe = (target: ProbeTarget, options: ProbeOptions, ctx: ProbeContext) => Promise<ProbeResult>;

export interface SchedulerHooks {
  slotMissed?(target: ScheduledTarget): void;
  inFlightChanged?(count: number): void;
}

interface Entry {
  target: ScheduledTarget;
  anchorMs: number;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  ranOnce: boolean;
}

/**
 * First runs of targets added together start at this rate at most. Thousands at once would
 * queue behind the concurrency limit for many seconds (timing them all late, /metrics and the
 * regular slots stuck behind them); at this rate a few dozen targets still start within a
 * fraction of a second, and 5,000 are spread over their interval like their later runs.
 */
export const STARTUP_PROBES_PER_SECOND = 250;

/** Seconds over which `added` new targets make their first run: never beyond their interval. */
export function startupWindowSeconds(added: number, intervalSeconds: number): number {
  return Math.min(intervalSeconds, added / STARTUP_PROBES_PER_SECOND);
}

/** Grace added to a probe's own timeout before the scheduler aborts it. */
const ABORT_GRACE_SECONDS = 1;

export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly limiter: Limiter;
  private readonly stopping = new AbortController();
  private readyLatch = false;

  constructor(
    private readonly runProbe: RunProbe,
    private readonly observers: ResultObserver[],
    maxConcurrency: number,
    private readonly hooks: SchedulerHooks = {},
  ) {
    this.limiter = new Limiter(maxConcurrency);
    // Every running probe listens on the stop signal (one listener each, removed when it
    // ends): hundreds at once are expected, not a leak.
    setMaxListeners(0, this.stopping.signal);
  }

  /** True once every target has run once; stays true (readiness must not flap on reload). */
  get ready(): boolean {
    if (!this.readyLatch) this.readyLatch = [...this.entries.values()].every((e) => e.ranOnce);
    return this.readyLatch;
  }

  get targets(): ScheduledTarget[] {
    return [...this.entries.values()].map((e) => e.target);
  }

  setMaxConcurrency(max: number): void {
    this.limiter.setMax(max);
  }

  /** Swaps the target set: new ones start, removed ones stop and are forgotten, kept ones keep their history. */
  setTargets(targets: ScheduledTarget[]): void {
    const keep = new Set(targets.map((t) => t.key));
    for (const [key, entry] of this.entries) {
      if (!keep.has(key)) this.remove(key, entry);
    }
    const added = targets.filter((t) => !this.entries.has(t.key)).length;
    for (const target of targets) {
      const entry = this.entries.get(target.key);
      if (!entry) this.add(target, startupWindowSeconds(added, target.intervalSeconds));
      else this.update(entry, target);
    }
  }

  async stop(): Promise<void> {
    this.stopping.abort(new Error('exporter stopping'));
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.entries.values()].map((e) => e.running));
  }

  /** A new target's first run comes at its place in the start-up window (at once for a few targets). */
  private add(target: ScheduledTarget, windowSeconds: number): void {
    const nowMs = Date.now();
    const entry: Entry = { target, anchorMs: nowMs + slotOffset(target.key, target.intervalSeconds) * 1000, ranOnce: false };
    this.entries.set(target.key, entry);
    const delayMs = slotOffset(target.key, windowSeconds) * 1000;
    if (delayMs < 1) return this.fire(entry);
    // Fired as the slot `nowMs + delayMs`: with a window as long as the interval that is the
    // first regular slot itself, which must not run again when the timer fires a little early.
    entry.timer = setTimeout(() => this.fire(entry, nowMs + delayMs), delayMs);
    entry.timer.unref();
  }

  private update(entry: Entry, target: ScheduledTarget): void {
    const intervalChanged = entry.target.intervalSeconds !== target.intervalSeconds;
    entry.target = target;
    if (intervalChanged && !entry.running) this.arm(entry);
  }

  private remove(key: string, entry: Entry): void {
    clearTimeout(entry.timer);
    this.entries.delete(key);
    for (const observer of this.observers) observer.forget(entry.target);
  }

  /**
   * Arms the first slot after now and after `firedSlotMs`: a timer may fire a millisecond
   * before Date.now() reaches its slot, and must not arm that same slot again.
   */
  private arm(entry: Entry, firedSlotMs = -Infinity): void {
    clearTimeout(entry.timer);
    if (this.stopping.signal.aborted) return;
    const at = nextSlot(entry.anchorMs, entry.target.intervalSeconds * 1000, Math.max(Date.now(), firedSlotMs));
    entry.timer = setTimeout(() => this.fire(entry, at), at - Date.now());
    entry.timer.unref();
  }

  private fire(entry: Entry, slotMs?: number): void {
    if (this.entries.get(entry.target.key) !== entry) return;
    if (entry.running) {
      this.hooks.slotMissed?.(entry.target);
    } else {
      entry.running = this.runOnce(entry).finally(() => {
        entry.running = undefined;
      });
    }
    this.arm(entry, slotMs);
  }

  private async runOnce(entry: Entry): Promise<void> {
    const target = entry.target;
    const budget = (target.options.timeoutSeconds + ABORT_GRACE_SECONDS) * 1000;
    try {
      const result = await this.limiter.run(this.stopping.signal, async () => {
        this.hooks.inFlightChanged?.(this.limiter.running);
        return this.withBudget(budget, (signal) => this.runProbe(target.target, target.options, { signal }));
      });
      if (this.entries.get(target.key) !== entry) return; // removed by a reload meanwhile
      entry.ranOnce = true;
      for (const observer of this.observers) observer.observe(target, result);
    } catch {
      // Only a stop lands here (limiter wait aborted); probes themselves never reject.
    } finally {
      this.hooks.inFlightChanged?.(this.limiter.running);
    }
  }

  /**
   * Probes bound themselves by their timeout; this is the backstop against one that does
   * not, so a stuck probe cannot stop its target forever. Timer and listener are removed
   * when the probe ends (the stop signal lives as long as the process).
   */
  private async withBudget<T>(ms: number, task: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onStop = () => controller.abort(this.stopping.signal.reason);
    const timer = setTimeout(() => controller.abort(new Error('probe exceeded its timeout')), ms);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    try {
      return await task(controller.signal);
    } finally {
      clearTimeout(timer);
      this.stopping.signal.removeEventListener('abort', onStop);
    }
  }
}
