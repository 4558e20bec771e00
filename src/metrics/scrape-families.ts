/**
 * Per-target families computed at scrape time from state kept elsewhere (diagnostics
 * findings, the ResultStore), rendered by hand like probe-series.ts but without a line
 * cache: each family walks its state and writes lines with a label prefix cached per target
 * object (a reload makes new target objects, so a stale prefix is never reused).
 */
import type { ScheduledTarget } from '../config/targets.js';
import { familyHeader, type Chunk, type ExpositionSource, type FamilyType } from './exposition.js';
import { targetPrefix } from './labels.js';

/** Escaped `target=..,service=..,category=..,path=..` plus the constant labels. */
export type PrefixOf = (target: ScheduledTarget) => string;

export interface ScrapeFamily {
  name: string;
  help: string;
  type: FamilyType;
  /** Pushes this family's sample lines (each ending in "\n") onto `out`. */
  collect(prefixOf: PrefixOf, out: Chunk[]): void;
}

export class ScrapeFamilies implements ExpositionSource {
  private prefixes = new WeakMap<ScheduledTarget, string>();
  private constants: Readonly<Record<string, string>> | undefined;

  constructor(private readonly families: readonly ScrapeFamily[]) {}

  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void {
    if (constantLabels !== this.constants) {
      this.prefixes = new WeakMap();
      this.constants = constantLabels;
    }
    const prefixOf: PrefixOf = (target) => {
      let prefix = this.prefixes.get(target);
      if (prefix === undefined) this.prefixes.set(target, (prefix = targetPrefix(target, constantLabels)));
      return prefix;
    };
    for (const family of this.families) {
      out.push(familyHeader(family.name, family.help, family.type, openMetrics));
      family.collect(prefixOf, out);
    }
  }
}
