/**
 * Port lists as the web service writes them: comma separated, spaces allowed
 * ("143, 587, 993, 995"), any order ("443,80"), ranges with "-" ("3478-3481").
 */
export interface PortRange {
  from: number;
  to: number;
}

const PORT = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/;

/** Parses a port list; pieces that are not ports or ranges are dropped (network input). */
export function parsePortList(text: string | undefined): PortRange[] {
  if (!text) return [];
  const out: PortRange[] = [];
  for (const piece of text.split(',')) {
    const match = PORT.exec(piece.trim());
    if (!match) continue;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 1 || to > 65535 || to < from) continue;
    out.push({ from, to });
  }
  return out.sort((a, b) => a.from - b.from);
}

export function hasPort(ranges: PortRange[], port: number): boolean {
  return ranges.some((r) => r.from <= port && port <= r.to);
}

/**
 * One port per range to probe: a single port as is, and the first port of a range
 * (connecting to every port of a range would multiply targets for no new information).
 */
export function representativePorts(ranges: PortRange[]): number[] {
  return [...new Set(ranges.map((r) => r.from))];
}
