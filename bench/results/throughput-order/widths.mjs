// node widths.mjs: the 95 % interval's half-width (in log ratio, ~ +-fraction) per arm and
// concurrency, 4 x 3 s turns against 12 x 1 s; arms A/D concurrency 1 first, B/C last.
import { readFileSync } from 'node:fs';
const T = { 3: 3.182, 11: 2.201 };
const arms = { 'A 4x3s, 1 first': ['A1', 'A2', 'A3'], 'D 12x1s, 1 first': ['D1', 'D2', 'D3'], 'C 4x3s, 1 last': ['C1', 'C2', 'C3'], 'B 12x1s, 1 last': ['B1', 'B2', 'B3'] };
for (const [arm, runs] of Object.entries(arms)) {
  const out = {};
  for (const r of runs) {
    const steps = JSON.parse(readFileSync(new URL(`${r}.json`, import.meta.url), 'utf8')).throughput;
    for (const c of [1, 8, 32]) {
      const o = steps.find((s) => s.exporter === 'o365' && s.concurrency === c);
      const b = steps.find((s) => s.exporter === 'blackbox' && s.concurrency === c);
      const l = o.rounds.map((x, i) => Math.log((x.probes / x.cpuSeconds) / (b.rounds[i].probes / b.rounds[i].cpuSeconds)));
      const n = l.length, m = l.reduce((a, x) => a + x, 0) / n;
      const sd = Math.sqrt(l.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
      (out[c] ??= []).push(T[n - 1] * sd / Math.sqrt(n));
    }
  }
  console.log(arm.padEnd(18), Object.entries(out).map(([c, h]) => `c=${c}: +-${h.map((x) => x.toFixed(2)).join(' ')} (mean ${(h.reduce((a, x) => a + x, 0) / h.length).toFixed(2)})`).join('  '));
}
