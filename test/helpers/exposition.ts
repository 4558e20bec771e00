/** A minimal parser of the Prometheus text format, to assert series by name and labels. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Series[] {
  const out: Series[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) throw new Error(`unparsable exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key as string] = (value as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    out.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return out;
}

/** Series named `name` whose labels include `labels`. */
export function select(series: Series[], name: string, labels: Record<string, string> = {}): Series[] {
  return series.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The value of the one series matching, or undefined when there is none (throws when several match). */
export function valueOf(series: Series[], name: string, labels: Record<string, string> = {}): number | undefined {
  const found = select(series, name, labels);
  if (found.length > 1) throw new Error(`${found.length} series match ${name}${JSON.stringify(labels)}`);
  return found[0]?.value;
}
