// node --import tsx order.mjs *.json: per run and concurrency, probes/s of both exporters, this
// exporter's probes per CPU second over blackbox_exporter's (pooled) and the 95 % interval of the
// paired turns' geometric mean, with bench/lib/stats.ts's geometricMeanInterval as
// bench/report/goals.ts judges it. widths.mjs imports `intervals` from here.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { geometricMeanInterval } from '../../lib/stats.ts';
import { intervalVerdict, turnRatios } from '../../report/goals.ts';
import { concurrencies } from '../../report/results.ts';

/** Each concurrency of a run's JSON, in the order run: both steps and the turns' interval. */
export function intervals(file) {
  const steps = JSON.parse(readFileSync(file, 'utf8')).throughput;
  return concurrencies(steps).map((c) => {
    const o = steps.find((s) => s.exporter === 'o365' && s.concurrency === c);
    const b = steps.find((s) => s.exporter === 'blackbox' && s.concurrency === c);
    const ci = geometricMeanInterval(turnRatios(o, b));
    return { c, o, b, ci, turns: o.rounds.length };
  });
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  for (const f of process.argv.slice(2)) {
    const rows = intervals(f);
    const cells = rows.map(({ c, o, b, ci }) => {
      return `c=${String(c).padEnd(2)} ${o.probesPerSecond.toFixed(0)}/${b.probesPerSecond.toFixed(0)} per s, ${(o.probesPerCpuSecond / b.probesPerCpuSecond).toFixed(2)}x (${ci.low.toFixed(2)}-${ci.high.toFixed(2)}, ${intervalVerdict(ci)})`;
    });
    console.log(`${basename(f, '.json').padEnd(8)} ${String(rows[0].turns).padStart(2)} turns  ${cells.join('  |  ')}`);
  }
}
