import type { ScheduledTarget } from '../config/targets.js';
import { labelPairs, withConstantLabels } from './exposition.js';

/** Labels every probe series carries (config `labels:` are added registry-wide). */
export const TARGET_LABELS = ['target', 'service', 'category', 'path'] as const;
export type TargetLabels = Record<(typeof TARGET_LABELS)[number], string>;

export function targetLabels(t: ScheduledTarget): TargetLabels {
  return { target: t.name, service: t.service, category: t.category, path: t.path };
}

/**
 * The escaped label pairs every hand-rendered per-target line starts with: the target's
 * labels, then the registry-wide constant ones (config `labels:`) it does not set itself.
 */
export function targetPrefix(t: ScheduledTarget, constantLabels: Readonly<Record<string, string>>): string {
  return labelPairs(withConstantLabels(targetLabels(t), constantLabels));
}

/** A metric whose series can be removed by label set (Counter, Histogram, Gauge). */
export interface Removable {
  remove(labels: Record<string, string>): void;
}

/**
 * Counters and histograms are updated as results arrive, so the label sets a target used
 * are remembered here to remove them all when the target goes away (prom-client removes
 * by full label set only).
 */
export class LabelSetTracker {
  private readonly sets = new Map<string, Map<Removable, Map<string, Record<string, string>>>>();

  add(key: string, metric: Removable, labels: Record<string, string>): void {
    let forKey = this.sets.get(key);
    if (!forKey) this.sets.set(key, (forKey = new Map()));
    let forMetric = forKey.get(metric);
    if (!forMetric) forKey.set(metric, (forMetric = new Map()));
    forMetric.set(JSON.stringify(labels), labels);
  }

  /** Removes every series recorded for `key`. */
  removeAll(key: string): void {
    for (const [metric, labelSets] of this.sets.get(key) ?? []) {
      for (const labels of labelSets.values()) metric.remove(labels);
    }
    this.sets.delete(key);
  }
}
