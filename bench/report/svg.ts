/** A few SVG primitives and a linear axis: enough for bar and line charts, no dependency. */

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';

/** `halo`: a white outline under the glyphs, legible over bars drawn before it. */
export function text(x: number, y: number, s: string, o: { size?: number; anchor?: 'start' | 'middle' | 'end'; weight?: string; fill?: string; rotate?: number; halo?: boolean } = {}): string {
  const rot = o.rotate ? ` transform="rotate(${o.rotate} ${x} ${y})"` : '';
  const halo = o.halo ? ' stroke="#fff" stroke-width="3" paint-order="stroke"' : '';
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${FONT}" font-size="${o.size ?? 12}" text-anchor="${o.anchor ?? 'start'}" font-weight="${o.weight ?? 'normal'}" fill="${o.fill ?? '#222'}"${halo}${rot}>${esc(s)}</text>`;
}

export function rect(x: number, y: number, w: number, h: number, fill: string): string {
  const [top, height] = h < 0 ? [y + h, -h] : [y, h];
  return `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${Math.max(0, w).toFixed(1)}" height="${height.toFixed(1)}" fill="${fill}"/>`;
}

export function line(x1: number, y1: number, x2: number, y2: number, stroke: string, o: { width?: number; dash?: string } = {}): string {
  const dash = o.dash ? ` stroke-dasharray="${o.dash}"` : '';
  return `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${stroke}" stroke-width="${o.width ?? 1}"${dash}/>`;
}

export function polyline(points: [number, number][], stroke: string, width = 2): string {
  return `<polyline fill="none" stroke="${stroke}" stroke-width="${width}" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`;
}

/** Round tick steps (1, 2, 5 x 10^n) covering [lo, hi] with about `count` ticks. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export interface Frame {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A y axis with grid lines; returns the value -> pixel mapping. */
export function yAxis(parts: string[], f: Frame, lo: number, hi: number, label: string): (v: number) => number {
  const map = (v: number) => f.y + f.h - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * f.h;
  for (const t of ticks(lo, hi)) {
    parts.push(line(f.x, map(t), f.x + f.w, map(t), t === 0 ? '#888' : '#e3e3e3'));
    parts.push(text(f.x - 6, map(t) + 4, String(t), { size: 11, anchor: 'end' }));
  }
  parts.push(text(f.x - 42, f.y + f.h / 2, label, { size: 12, anchor: 'middle', rotate: -90 }));
  return map;
}

/** A base-10 log y axis from `lo` to `hi` (both > 0); values outside are pinned to the ends. */
export function yLogAxis(parts: string[], f: Frame, lo: number, hi: number, label: string): (v: number) => number {
  const [a, b] = [Math.log10(lo), Math.log10(hi)];
  const map = (v: number) => f.y + f.h - ((Math.min(b, Math.max(a, Math.log10(Math.max(v, lo)))) - a) / (b - a)) * f.h;
  for (let e = Math.ceil(a); e <= b; e++) {
    const t = 10 ** e;
    parts.push(line(f.x, map(t), f.x + f.w, map(t), '#e3e3e3'));
    parts.push(text(f.x - 6, map(t) + 4, String(Number(t.toPrecision(3))), { size: 11, anchor: 'end' }));
  }
  parts.push(text(f.x - 42, f.y + f.h / 2, label, { size: 12, anchor: 'middle', rotate: -90 }));
  return map;
}

export function legend(parts: string[], x: number, y: number, items: [string, string][]): void {
  let cx = x;
  for (const [color, name] of items) {
    parts.push(rect(cx, y - 10, 12, 12, color));
    parts.push(text(cx + 16, y, name, { size: 11 }));
    cx += 22 + name.length * 6.5;
  }
}

export function svgDocument(width: number, height: number, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n<rect width="100%" height="100%" fill="#fff"/>\n${parts.join('\n')}\n</svg>\n`;
}
