/**
 * Renders the per-target probe families (probe-families.ts) without prom-client: each
 * target's lines are built once per result as it arrives, with its label prefix escaped
 * once, and a scrape only joins them family by family (one HELP/TYPE each, families
 * contiguous). Gauge values are the ResultStore's last result (checked again at scrape
 * time, so lines never outlive what the store holds); counters are kept here.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver, ResultStore } from '../scheduler/results.js';
import { extraLabels, familyHeader, type Chunk, type ExpositionSource } from './exposition.js';
import { targetPrefix } from './labels.js';
import { PROBE_FAMILIES, type ProbeCounts, type ProbeFamily } from './probe-families.js';

interface Rendered {
  /** What the lines were built from: rebuilt when any changes. */
  last: ProbeResult | undefined;
  target: ScheduledTarget;
  constants: string;
  /** The target's lines of every family, UTF-8, family after family. */
  bytes: Buffer;
  /** Family i's lines are bytes[offsets[i], offsets[i + 1]). */
  offsets: number[];
}

interface Entry {
  target: ScheduledTarget;
  counts: ProbeCounts;
  rendered?: Rendered;
}

export class ProbeSeries implements ExpositionSource, ResultObserver {
  private readonly entries = new Map<string, Entry>();
  private constants: { labels: Readonly<Record<string, string>>; key: string } = { labels: {}, key: '{}' };

  /** `constantLabels` gives the registry-wide labels (config `labels:`) in force now. */
  constructor(
    private readonly store: ResultStore,
    private readonly constantLabels: () => Readonly<Record<string, string>>,
    private readonly families: readonly ProbeFamily[] = PROBE_FAMILIES,
  ) {}

  /** Call after the store has observed the result: lines are built from what it keeps. */
  observe(target: ScheduledTarget, result: ProbeResult): void {
    let entry = this.entries.get(target.key);
    if (!entry) this.entries.set(target.key, (entry = { target, counts: { probes: 0, failures: new Map() } }));
    entry.target = target;
    entry.counts.probes += 1;
    if (result.failure) {
      const pairs = extraLabels({ phase: result.failure.phase, reason: result.failure.reason }).slice(1);
      entry.counts.failures.set(pairs, (entry.counts.failures.get(pairs) ?? 0) + 1);
    }
    // Built now, as results arrive spread over the interval, rather than all at the scrape.
    entry.rendered = this.build(target.key, entry);
  }

  forget(target: ScheduledTarget): void {
    this.entries.delete(target.key);
  }

  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void {
    this.refreshConstants(constantLabels);
    const perTarget: Rendered[] = [];
    for (const [targetKey, entry] of this.entries) perTarget.push(this.linesOf(targetKey, entry));
    this.families.forEach((family, i) => {
      out.push(familyHeader(family.name, family.help, family.type, openMetrics));
      for (const { bytes, offsets } of perTarget) {
        const start = offsets[i] as number;
        const end = offsets[i + 1] as number;
        if (end > start) out.push(bytes.subarray(start, end));
      }
    });
  }

  /** The cached lines, rebuilt if the stored result, the target or the constant labels changed. */
  private linesOf(key: string, entry: Entry): Rendered {
    const state = this.store.get(key);
    const r = entry.rendered;
    if (r && r.last === state?.last && r.target === (state?.target ?? entry.target) && r.constants === this.constants.key) return r;
    return (entry.rendered = this.build(key, entry));
  }

  private refreshConstants(labels: Readonly<Record<string, string>>): void {
    if (labels === this.constants.labels) return;
    this.constants = { labels, key: JSON.stringify(labels) };
  }

  private build(key: string, entry: Entry): Rendered {
    this.refreshConstants(this.constantLabels());
    const state = this.store.get(key);
    // The store has the target as refreshed by the last reload; labels follow it.
    const target = state?.target ?? entry.target;
    const last = state?.last;
    const prefix = targetPrefix(target, this.constants.labels);
    const lines = this.families.map((f) => f.lines(prefix, last, entry.counts));
    const offsets = [0];
    for (const text of lines) offsets.push((offsets.at(-1) as number) + Buffer.byteLength(text, 'utf8'));
    // Its own allocation: a slice of Node's shared pool would keep the whole pool alive.
    const bytes = Buffer.allocUnsafeSlow(offsets.at(-1) as number);
    lines.forEach((text, i) => bytes.write(text, offsets[i] as number, 'utf8'));
    return { last, target, constants: this.constants.key, bytes, offsets };
  }
}
