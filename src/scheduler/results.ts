/**
 * The latest result of every scheduled target and a short history, kept in memory.
 * Metrics compute their gauges from here at scrape time; the status page reads it too.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import { ResultHistory } from './history.js';

export { ResultHistory, type HistoryPoint } from './history.js';

export interface TargetState {
  target: ScheduledTarget;
  last?: ProbeResult;
  /** Unix ms of the last successful probe. */
  lastSuccessAt?: number;
  /** Oldest first; read with slice(), get() or for..of. */
  history: ResultHistory;
}

/** Something that wants every result, and to know when a target goes away. */
export interface ResultObserver {
  observe(target: ScheduledTarget, result: ProbeResult): void;
  forget(target: ScheduledTarget): void;
}

/**
 * Points kept per target: what the status page's sparkline shows. Each costs 41 bytes per
 * target (2.4 KiB a target at 60; 120 held 12 MiB more at 5,000 targets that nothing read).
 */
export const HISTORY_LENGTH = 60;

export class ResultStore implements ResultObserver {
  private readonly states = new Map<string, TargetState>();

  constructor(private readonly historyLength = HISTORY_LENGTH) {}

  /** Registers a target (or refreshes its settings after a reload) without losing history. */
  track(target: ScheduledTarget): void {
    const state = this.states.get(target.key);
    if (state) state.target = target;
    else this.states.set(target.key, { target, history: new ResultHistory(this.historyLength) });
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    this.track(target);
    const state = this.states.get(target.key) as TargetState;
    state.last = result;
    if (result.success) state.lastSuccessAt = result.startedAt;
    state.history.push(result);
  }

  forget(target: ScheduledTarget): void {
    this.states.delete(target.key);
  }

  get(key: string): TargetState | undefined {
    return this.states.get(key);
  }

  all(): TargetState[] {
    return [...this.states.values()];
  }
}
