// node --import tsx widths.mjs: the 95 % interval's half-width (in log ratio, ~ +-fraction) per
// arm and concurrency, 4 x 3 s turns against 12 x 1 s; arms A/D concurrency 1 first, B/C last.
import { intervals } from './order.mjs';

const arms = { 'A 4x3s, 1 first': ['A1', 'A2', 'A3'], 'D 12x1s, 1 first': ['D1', 'D2', 'D3'], 'C 4x3s, 1 last': ['C1', 'C2', 'C3'], 'B 12x1s, 1 last': ['B1', 'B2', 'B3'] };
for (const [arm, runs] of Object.entries(arms)) {
  const out = {};
  for (const r of runs) {
    for (const { c, ci } of intervals(new URL(`${r}.json`, import.meta.url))) (out[c] ??= []).push(Math.log(ci.high / ci.mean));
  }
  const mean = (h) => h.reduce((a, x) => a + x, 0) / h.length;
  console.log(arm.padEnd(18), [1, 8, 32].map((c) => `c=${c}: +-${out[c].map((x) => x.toFixed(2)).join(' ')} (mean ${mean(out[c]).toFixed(2)})`).join('  '));
}
