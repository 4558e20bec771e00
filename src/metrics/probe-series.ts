/**
 * Renders the per-target probe families (probe-families.ts) without prom-client: each
 * target's lines are built once per result as it arrives, with its label prefix escaped
 * once, and copied into a block of targets (series-blocks.ts) in the background, so a
 * scrape only joins a few hundred slices family by family (one HELP/TYPE each, families
 * contiguous). Gauge values are the ResultStore's last result (checked again at scrape
 * time, so lines never outlive what the store holds); counters are kept here.
 */
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver, ResultStore } from '../scheduler/results.js';
import { extraLabels, type Chunk, type ExpositionSource } from './exposition.js';
import { targetPrefix } from './labels.js';
import { PROBE_FAMILIES, type ProbeCounts, type ProbeFamily } from './probe-families.js';
import { SeriesBlocks, type Member } from './series-blocks.js';

/** What a target's lines were built from: rebuilt when any changes. */
interface Rendered {
  last: ProbeResult | undefined;
  target: ScheduledTarget;
  constants: string;
}

interface Entry {
  target: ScheduledTarget;
  counts: ProbeCounts;
  /** Its lines' place in the blocks. */
  member: Member;
  rendered?: Rendered;
}

export class ProbeSeries implements ExpositionSource, ResultObserver {
  private readonly entries = new Map<string, Entry>();
  private readonly blocks: SeriesBlocks;
  private constants: { labels: Readonly<Record<string, string>>; key: string } = { labels: {}, key: '{}' };

  /** `constantLabels` gives the registry-wide labels (config `labels:`) in force now. */
  constructor(
    private readonly store: ResultStore,
    private readonly constantLabels: () => Readonly<Record<string, string>>,
    private readonly families: readonly ProbeFamily[] = PROBE_FAMILIES,
  ) {
    this.blocks = new SeriesBlocks(families.length);
  }

  /** Call after the store has observed the result: lines are built from what it keeps. */
  observe(target: ScheduledTarget, result: ProbeResult): void {
    let entry = this.entries.get(target.key);
    if (!entry) this.entries.set(target.key, (entry = { target, counts: { probes: 0, failures: new Map() }, member: this.blocks.add() }));
    entry.target = target;
    entry.counts.probes += 1;
    if (result.failure) {
      const pairs = extraLabels({ phase: result.failure.phase, reason: result.failure.reason }).slice(1);
      entry.counts.failures.set(pairs, (entry.counts.failures.get(pairs) ?? 0) + 1);
    }
    // Built now, as results arrive spread over the interval, rather than all at the scrape.
    this.build(target.key, entry);
  }

  forget(target: ScheduledTarget): void {
    const entry = this.entries.get(target.key);
    if (entry) this.blocks.remove(entry.member);
    this.entries.delete(target.key);
  }

  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void {
    this.refreshConstants(constantLabels);
    for (const [targetKey, entry] of this.entries) if (this.isStale(targetKey, entry)) this.build(targetKey, entry);
    this.blocks.renderInto(out, this.families, openMetrics);
  }

  /** True when the stored result, the target or the constant labels changed since the lines were built. */
  private isStale(key: string, entry: Entry): boolean {
    const state = this.store.get(key);
    const r = entry.rendered;
    return !r || r.last !== state?.last || r.target !== (state?.target ?? entry.target) || r.constants !== this.constants.key;
  }

  private refreshConstants(labels: Readonly<Record<string, string>>): void {
    if (labels === this.constants.labels) return;
    this.constants = { labels, key: JSON.stringify(labels) };
  }

  private build(key: string, entry: Entry): void {
    this.refreshConstants(this.constantLabels());
    const state = this.store.get(key);
    // The store has the target as refreshed by the last reload; labels follow it.
    const target = state?.target ?? entry.target;
    const last = state?.last;
    const prefix = targetPrefix(target, this.constants.labels);
    this.blocks.set(entry.member, this.families.map((f) => f.lines(prefix, last, entry.counts)));
    entry.rendered = { last, target, constants: this.constants.key };
  }
}
