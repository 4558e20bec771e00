/**
 * The bits of the Prometheus text format (0.0.4) and OpenMetrics 1.0 that the hand-written
 * per-target renderer needs, written to match what prom-client prints for the same series
 * (same escaping, same numbers), so a family moved out of prom-client reads the same.
 */

/** Text, bytes already UTF-8 encoded, or cached bytes that also keep their deflated form. */
export type Chunk = string | Uint8Array | Segment;

/**
 * Cached lines (a block's lines of one family) with their raw deflate form, made once per
 * change of the lines rather than at every gzip scrape (gzip-chunks.ts joins the forms).
 */
export interface Segment {
  bytes: Uint8Array;
  deflated(): Uint8Array;
}

/** Something rendered beside prom-client's registries into the same /metrics body. */
export interface ExpositionSource {
  /**
   * Pushes whole families (HELP, TYPE, samples; every line ending in "\n"; no "# EOF") onto
   * `out`, which the caller joins once: a 10 MB body is copied once, not per source.
   */
  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void;
}

export type FamilyType = 'gauge' | 'counter';

/** HELP text and metric names: backslash and newline escaped (both formats). */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: backslash, newline and double quote escaped (both formats). */
export function escapeLabelValue(value: string): string {
  return escapeHelp(value).replace(/"/g, '\\"');
}

/** `a="x",b="y"` for the labels in order, without braces. */
export function labelPairs(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escapeLabelValue(value)}"`)
    .join(',');
}

/**
 * A series' own labels followed by the registry-wide constant ones it does not set itself,
 * the order and precedence prom-client's setDefaultLabels gives.
 */
export function withConstantLabels(own: Readonly<Record<string, string>>, constant: Readonly<Record<string, string>>): Record<string, string> {
  return { ...own, ...constant, ...own };
}

/** `,name="value"` pairs to append after a prefix of label pairs. */
export function extraLabels(labels: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(labels)) out += `,${name}="${escapeLabelValue(value)}"`;
  return out;
}

/** One sample line: `prefix` is escaped label pairs (never empty here), `extra` from extraLabels. */
export function sampleLine(name: string, prefix: string, extra: string, value: number): string {
  return `${name}{${prefix}${extra}} ${formatValue(value)}\n`;
}

/** A sample value: Go-style +Inf/-Inf/NaN, JavaScript's shortest round-trip form otherwise. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return `${value}`;
}

/**
 * HELP and TYPE lines of a family. OpenMetrics names a counter family without `_total`
 * (its samples keep it); the text format names it as its samples.
 */
export function familyHeader(name: string, help: string, type: FamilyType, openMetrics: boolean): string {
  const family = openMetrics && type === 'counter' ? name.replace(/_total$/, '') : name;
  return `# HELP ${family} ${escapeHelp(help)}\n# TYPE ${family} ${type}\n`;
}
