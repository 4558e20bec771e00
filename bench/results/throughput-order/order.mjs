// node order.mjs *.json: per run and concurrency, probes/s of both exporters, this exporter's
// probes per CPU second over blackbox_exporter's (pooled) and the 95 % t interval of the
// paired turns' geometric mean, as bench/report/goals.ts judges it.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
const T975 = { 1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 7: 2.365, 11: 2.201, 19: 2.093 };
const perCpu = (r) => r.probes / r.cpuSeconds;
for (const f of process.argv.slice(2)) {
  const j = JSON.parse(readFileSync(f, 'utf8'));
  const steps = j.throughput;
  const order = [...new Set(steps.map((s) => s.concurrency))];
  const cells = order.map((c) => {
    const o = steps.find((s) => s.exporter === 'o365' && s.concurrency === c);
    const b = steps.find((s) => s.exporter === 'blackbox' && s.concurrency === c);
    const logs = o.rounds.map((r, i) => Math.log(perCpu(r) / perCpu(b.rounds[i])));
    const n = logs.length, m = logs.reduce((a, x) => a + x, 0) / n;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - m) ** 2, 0) / (n - 1));
    const h = (T975[n - 1] ?? 2) * sd / Math.sqrt(n);
    const verdict = m - h >= 0 ? 'met' : m + h < 0 ? 'NOT met' : 'not judged';
    return `c=${String(c).padEnd(2)} ${o.probesPerSecond.toFixed(0)}/${b.probesPerSecond.toFixed(0)} per s, ${(o.probesPerCpuSecond / b.probesPerCpuSecond).toFixed(2)}x (${Math.exp(m - h).toFixed(2)}-${Math.exp(m + h).toFixed(2)}, ${verdict})`;
  });
  const turn = steps[0].rounds.length;
  console.log(`${basename(f, '.json').padEnd(8)} ${String(turn).padStart(2)} turns  ${cells.join('  |  ')}`);
}
