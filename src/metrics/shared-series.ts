/**
 * Series shared by several targets (a histogram by service, category, path and phase):
 * remembers which targets fed each label set, so that the set is removed when the last
 * of them goes away and not before.
 */
import type { Removable } from './labels.js';

export class SharedSeries {
  private readonly users = new Map<string, { labels: Record<string, string>; keys: Set<string> }>();
  private readonly byKey = new Map<string, Set<string>>();

  constructor(private readonly metric: Removable) {}

  add(key: string, labels: Record<string, string>): void {
    const id = JSON.stringify(labels);
    let set = this.users.get(id);
    if (!set) this.users.set(id, (set = { labels, keys: new Set() }));
    set.keys.add(key);
    let ids = this.byKey.get(key);
    if (!ids) this.byKey.set(key, (ids = new Set()));
    ids.add(id);
  }

  /** Forgets `key`; removes the label sets no remaining target uses. */
  remove(key: string): void {
    for (const id of this.byKey.get(key) ?? []) {
      const set = this.users.get(id);
      if (!set) continue;
      set.keys.delete(key);
      if (set.keys.size === 0) {
        this.metric.remove(set.labels);
        this.users.delete(id);
      }
    }
    this.byKey.delete(key);
  }
}
