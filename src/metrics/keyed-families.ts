/**
 * Per-target families computed from state kept elsewhere (diagnostics findings, the
 * ResultStore), rendered by hand like probe-series.ts. A target's lines are rebuilt only when
 * what they are made from changed (its inputs, compared by identity, its target object or
 * the constant labels): by an idle pass each second while the exporter is scraped, and for
 * what is left at the scrape itself. Lines are held in blocks (series-blocks.ts), so a scrape
 * copies a few hundred slices rather than building ~10,000 strings at 5,000 targets.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { Chunk, ExpositionSource, FamilyType } from './exposition.js';
import { targetPrefix } from './labels.js';
import { SeriesBlocks, type Member } from './series-blocks.js';

export interface KeyedFamily {
  name: string;
  help: string;
  type: FamilyType;
}

/** One target's state: what its lines are made from. */
export interface KeyedState<I extends readonly unknown[]> {
  key: string;
  /** Its labels come from this target (prefix escaped once per target object). */
  target: ScheduledTarget;
  /** Compared element by element (===) with the last build's: lines are rebuilt when one differs. */
  inputs: I;
}

export interface KeyedSpec<I extends readonly unknown[]> {
  families: readonly KeyedFamily[];
  /** Every target that may have lines now. */
  states(): Iterable<KeyedState<I>>;
  /** The target's lines of each family ("" for none; each line ending in "\n"). */
  lines(prefix: string, inputs: I, target: ScheduledTarget): string[];
}

interface Entry<I> {
  member: Member;
  target: ScheduledTarget;
  constants: Readonly<Record<string, string>>;
  inputs: I;
  pass: number;
}

/** Idle passes stop when no scrape came for this long (nothing reads the lines). */
const IDLE_STOP_MS = 60_000;

export class KeyedFamilies<I extends readonly unknown[]> implements ExpositionSource {
  private readonly entries = new Map<string, Entry<I>>();
  private readonly blocks: SeriesBlocks;
  private constants: Readonly<Record<string, string>> = {};
  private pass = 0;
  private lastScrapeAt = 0;
  private idle: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: KeyedSpec<I>,
    private readonly idleMs = 1000,
  ) {
    this.blocks = new SeriesBlocks(spec.families.length, idleMs);
  }

  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void {
    this.constants = constantLabels;
    this.refresh();
    this.blocks.renderInto(out, this.spec.families, openMetrics);
    this.lastScrapeAt = Date.now();
    // unref: never keeps the process alive.
    this.idle ??= setInterval(() => this.idlePass(), this.idleMs).unref();
  }

  private idlePass(): void {
    if (Date.now() - this.lastScrapeAt > IDLE_STOP_MS) {
      clearInterval(this.idle);
      this.idle = undefined;
      return;
    }
    this.refresh();
    // Copied into blocks (and deflated) now rather than a second later.
    this.blocks.flush(true);
  }

  /** Rebuilds the lines of targets whose state changed; drops targets that went away. */
  private refresh(): void {
    const pass = ++this.pass;
    for (const { key, target, inputs } of this.spec.states()) {
      let entry = this.entries.get(key);
      if (entry && entry.target === target && entry.constants === this.constants && sameInputs(entry.inputs, inputs)) {
        entry.pass = pass;
        continue;
      }
      if (!entry) this.entries.set(key, (entry = { member: this.blocks.add(), target, constants: this.constants, inputs, pass }));
      Object.assign(entry, { target, constants: this.constants, inputs, pass });
      this.blocks.set(entry.member, this.spec.lines(targetPrefix(target, this.constants), inputs, target));
    }
    for (const [key, entry] of this.entries) {
      if (entry.pass === pass) continue;
      this.blocks.remove(entry.member);
      this.entries.delete(key);
    }
  }
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
