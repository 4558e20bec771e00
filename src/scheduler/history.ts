/**
 * A target's recent probes, compact: one ring buffer in a single ArrayBuffer per target
 * (41 bytes a point) instead of an object per point holding the result's phases object
 * (~170 bytes a point on the heap, and 600,000 objects for the old generation to trace at
 * 5,000 targets x 120 points).
 *
 * Durations are kept in whole microseconds (Uint32, up to ~71 minutes): the resolution the
 * status page shows, far below what a socket event can time. Readers get plain
 * HistoryPoint objects, built only when they ask.
 */
import { PHASES, type Phase } from '../probes/result.js';

export interface HistoryPoint {
  /** Unix ms. */
  at: number;
  success: boolean;
  durationSeconds: number;
  phases: Partial<Record<Phase, number>>;
}

/** What a point is made from: a ProbeResult fits. */
export type HistoryInput = Pick<HistoryPoint, 'success' | 'durationSeconds' | 'phases'> & { startedAt: number };

/** Per point: duration, then one cell per phase. */
const CELLS = 1 + PHASES.length;
/** A phase the probe did not reach. */
const ABSENT = 0xffff_ffff;
const MAX_US = ABSENT - 1;
const PHASE_INDEX = new Map<string, number>(PHASES.map((p, i) => [p, i]));

function toMicros(seconds: number): number {
  if (!(seconds > 0)) return 0;
  return Math.min(MAX_US, Math.round(seconds * 1e6));
}

export class ResultHistory implements Iterable<HistoryPoint> {
  private at?: Float64Array;
  private cells?: Uint32Array;
  private ok?: Uint8Array;
  /** Slot of the oldest point. */
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`history capacity must be a positive integer, got ${capacity}`);
  }

  get length(): number {
    return this.size;
  }

  /** Appends a point; when full, the oldest one goes. */
  push(result: HistoryInput): void {
    if (!this.at) this.allocate();
    const at = this.at as Float64Array;
    const cells = this.cells as Uint32Array;
    const slot = (this.head + this.size) % this.capacity;
    at[slot] = result.startedAt;
    (this.ok as Uint8Array)[slot] = result.success ? 1 : 0;
    const base = slot * CELLS;
    cells.fill(ABSENT, base + 1, base + CELLS);
    cells[base] = toMicros(result.durationSeconds);
    for (const phase in result.phases) {
      const index = PHASE_INDEX.get(phase);
      const seconds = result.phases[phase as Phase];
      if (index !== undefined && seconds !== undefined) cells[base + 1 + index] = toMicros(seconds);
    }
    if (this.size < this.capacity) this.size += 1;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** The index-th point, oldest first; a negative index counts from the newest (-1). */
  get(index: number): HistoryPoint | undefined {
    const i = index < 0 ? this.size + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= this.size) return undefined;
    return this.point((this.head + i) % this.capacity);
  }

  /** Like Array.prototype.slice, oldest first. */
  slice(start = 0, end = this.size): HistoryPoint[] {
    const from = clampIndex(start, this.size);
    const to = clampIndex(end, this.size);
    const out: HistoryPoint[] = [];
    for (let i = from; i < to; i++) out.push(this.point((this.head + i) % this.capacity));
    return out;
  }

  *[Symbol.iterator](): Iterator<HistoryPoint> {
    for (let i = 0; i < this.size; i++) yield this.point((this.head + i) % this.capacity);
  }

  /** One buffer for all three columns: one backing store per target, not three. */
  private allocate(): void {
    const n = this.capacity;
    const buffer = new ArrayBuffer(n * 8 + n * CELLS * 4 + n);
    this.at = new Float64Array(buffer, 0, n);
    this.cells = new Uint32Array(buffer, n * 8, n * CELLS);
    this.ok = new Uint8Array(buffer, n * 8 + n * CELLS * 4, n);
  }

  private point(slot: number): HistoryPoint {
    const cells = this.cells as Uint32Array;
    const base = slot * CELLS;
    const phases: Partial<Record<Phase, number>> = {};
    for (let p = 0; p < PHASES.length; p++) {
      const us = cells[base + 1 + p] as number;
      if (us !== ABSENT) phases[PHASES[p] as Phase] = us / 1e6;
    }
    return { at: (this.at as Float64Array)[slot] as number, success: (this.ok as Uint8Array)[slot] === 1, durationSeconds: (cells[base] as number) / 1e6, phases };
  }
}

function clampIndex(index: number, length: number): number {
  const i = Math.trunc(index);
  if (i < 0) return Math.max(0, length + i);
  return Math.min(i, length);
}
