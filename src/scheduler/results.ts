/**
 * The latest result of every scheduled target and a short history, kept in memory.
 * Metrics compute their gauges from here at scrape time; the status page reads it too.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { Phase, ProbeResult } from '../probes/result.js';

export interface HistoryPoint {
  /** Unix ms. */
  at: number;
  success: boolean;
  durationSeconds: number;
  phases: Partial<Record<Phase, number>>;
}

export interface TargetState {
  target: ScheduledTarget;
  last?: ProbeResult;
  /** Unix ms of the last successful probe. */
  lastSuccessAt?: number;
  history: HistoryPoint[];
}

/** Something that wants every result, and to know when a target goes away. */
export interface ResultObserver {
  observe(target: ScheduledTarget, result: ProbeResult): void;
  forget(target: ScheduledTarget): void;
}

export const HISTORY_LENGTH = 120;

export class ResultStore implements ResultObserver {
  private readonly states = new Map<string, TargetState>();

  constructor(private readonly historyLength = HISTORY_LENGTH) {}

  /** Registers a target (or refreshes its settings after a reload) without losing history. */
  track(target: ScheduledTarget): void {
    const state = this.states.get(target.key);
    if (state) state.target = target;
    else this.states.set(target.key, { target, history: [] });
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    this.track(target);
    const state = this.states.get(target.key) as TargetState;
    state.last = result;
    if (result.success) state.lastSuccessAt = result.startedAt;
    state.history.push({ at: result.startedAt, success: result.success, durationSeconds: result.durationSeconds, phases: result.phases });
    if (state.history.length > this.historyLength) state.history.splice(0, state.history.length - this.historyLength);
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
