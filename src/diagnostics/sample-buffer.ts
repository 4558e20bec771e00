/**
 * A compact, time-bounded series of numbers: one float and one timestamp per probe in two
 * typed-array rings, capped in count so memory stays fixed (16 bytes a sample) whatever the
 * window. When the cap is reached the oldest samples go first, which shortens the window.
 */
export class SampleBuffer {
  private readonly at: Float64Array;
  private readonly value: Float64Array;
  /** Index of the oldest sample. */
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.at = new Float64Array(capacity);
    this.value = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** `atMs`: Unix ms. Non-finite values are not samples and are dropped. */
  push(atMs: number, value: number): void {
    if (!Number.isFinite(value) || !Number.isFinite(atMs)) return;
    const slot = (this.head + this.size) % this.capacity;
    this.at[slot] = atMs;
    this.value[slot] = value;
    if (this.size < this.capacity) this.size += 1;
    else this.head = (this.head + 1) % this.capacity;
  }

  /** Forgets samples older than `sinceMs` (samples arrive roughly in time order). */
  prune(sinceMs: number): void {
    while (this.size > 0 && (this.at[this.head] as number) < sinceMs) {
      this.head = (this.head + 1) % this.capacity;
      this.size -= 1;
    }
  }

  /** Values of the samples taken at or after `sinceMs`, oldest first. */
  valuesSince(sinceMs: number): Float64Array {
    const out = new Float64Array(this.size);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const slot = (this.head + i) % this.capacity;
      if ((this.at[slot] as number) >= sinceMs) out[n++] = this.value[slot] as number;
    }
    return out.subarray(0, n);
  }
}
