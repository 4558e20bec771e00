/** Just enough of the Prometheus text format to read numbers back from /probe and /metrics. */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Every sample of `text`, or only those whose name starts with one of `only`: a 67 MB
 * /metrics parsed whole would block the harness (and its RSS sampler) for seconds.
 */
export function parseSamples(text: string, only?: readonly string[]): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (only && !only.some((prefix) => line.startsWith(prefix))) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the first sample named `name` whose labels include `match`. */
export function value(samples: readonly Sample[], name: string, match: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))?.value;
}

/** Sum of every sample named `name` (e.g. a counter over all targets). */
export function sum(samples: readonly Sample[], name: string): number {
  return samples.filter((s) => s.name === name).reduce((total, s) => total + s.value, 0);
}
