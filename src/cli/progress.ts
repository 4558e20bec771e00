/**
 * Progress of `o365-exporter probe` on stderr, so stdout stays the report (or pure JSON).
 * On a terminal: one line rewritten in place and erased at the end. Elsewhere (a pipe, CI
 * log): one plain line per finished target, never control characters.
 */
import type { ProbeResult } from '../probes/result.js';

export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export class Progress {
  private done = 0;
  private readonly running = new Set<string>();

  constructor(
    private readonly sink: ProgressSink,
    private readonly total: number,
  ) {}

  started(name: string): void {
    this.running.add(name);
    this.draw();
  }

  finished(name: string, result: ProbeResult): void {
    this.running.delete(name);
    this.done++;
    if (this.sink.isTTY) return this.draw();
    const outcome = result.failure ? `FAIL ${result.failure.phase}: ${result.failure.reason}` : 'ok';
    this.sink.write(`[${this.done}/${this.total}] ${name}: ${outcome} (${Math.round(result.durationSeconds * 1000)} ms)\n`);
  }

  end(): void {
    if (this.sink.isTTY) this.sink.write('\r\x1b[2K');
  }

  private draw(): void {
    if (!this.sink.isTTY) return;
    const names = [...this.running];
    const shown = names.slice(0, 3).join(', ') + (names.length > 3 ? `, +${names.length - 3}` : '');
    this.sink.write(`\r\x1b[2K[${this.done}/${this.total}] probing ${shown || '...'}`.slice(0, 200));
  }
}
