// node --import tsx turns.mjs *.json: per run and concurrency, this exporter's probes per CPU
// second over blackbox_exporter's, pooled; the 95 % interval of the turns' geometric mean over
// the first 12, 20, 30, 40 turns and all of them (as bench/report/goals.ts judges); and the
// geometric mean ratio in consecutive blocks of turns (quarters from 20 turns, else halves).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { geometricMeanInterval } from '../../lib/stats.ts';
import { intervalVerdict, turnRatios } from '../../report/goals.ts';
import { concurrencies } from '../../report/results.ts';

const perCpu = (t) => t.probes / t.cpuSeconds;
const geo = (xs) => Math.exp(xs.reduce((s, x) => s + Math.log(x), 0) / xs.length);

for (const file of process.argv.slice(2)) {
  const run = JSON.parse(readFileSync(file, 'utf8'));
  for (const c of concurrencies(run.throughput)) {
    const ours = run.throughput.find((s) => s.exporter === 'o365' && s.concurrency === c);
    const bb = run.throughput.find((s) => s.exporter === 'blackbox' && s.concurrency === c);
    const ratios = turnRatios(ours, bb);
    const n = ratios.length;
    const firsts = [...new Set([12, 20, 30, 40, n].filter((k) => k <= n))].map((k) => {
      const ci = geometricMeanInterval(ratios.slice(0, k));
      return `${k}: ${ci.mean.toFixed(2)} (${ci.low.toFixed(2)}-${ci.high.toFixed(2)}, ${intervalVerdict(ci)})`;
    });
    const size = n >= 20 ? Math.floor(n / 4) : Math.floor(n / 2);
    const blocks = [];
    for (let i = 0; i + size <= n; i += size) {
      const o = geo(ours.rounds.slice(i, i + size).map(perCpu));
      const b = geo(bb.rounds.slice(i, i + size).map(perCpu));
      blocks.push(`${o.toFixed(0)}/${b.toFixed(0)} ${(o / b).toFixed(2)}`);
    }
    console.log(`${basename(file, '.json').padEnd(4)} c=${String(c).padEnd(2)} ${n} turns of ${ours.rounds[0].seconds.toFixed(0)} s, pooled ${(ours.probesPerCpuSecond / bb.probesPerCpuSecond).toFixed(2)}x | first ${firsts.join(' | ')}`);
    console.log(`          blocks of ${size} (ours/blackbox per CPU s, ratio): ${blocks.join(' | ')}`);
  }
}
