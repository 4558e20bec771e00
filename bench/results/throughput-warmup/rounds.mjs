import { readFileSync } from 'node:fs';
const g = (xs) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const all = { o: [], b: [], early: [], late: [] };
for (const f of process.argv.slice(2)) {
  let j; try { j = JSON.parse(readFileSync(f, 'utf8')); } catch { continue; }
  const steps = Array.isArray(j.throughput) ? j.throughput : (j.throughput?.steps ?? []);
  const o = steps.find((s) => s.exporter === 'o365' && s.concurrency === 1 && s.rounds?.length === 4);
  const b = steps.find((s) => s.exporter === 'blackbox' && s.concurrency === 1 && s.rounds?.length === 4);
  if (!o || !b) continue;
  const pr = (s, i) => s.rounds[i].probes / s.rounds[i].cpuSeconds;
  const sum = (s, is) => is.reduce((a, i) => a + s.rounds[i].probes, 0) / is.reduce((a, i) => a + s.rounds[i].cpuSeconds, 0);
  const oR = pr(o, 3) / pr(o, 0), bR = pr(b, 3) / pr(b, 0);
  const early = sum(o, [0, 1]) / sum(b, [0, 1]), late = sum(o, [2, 3]) / sum(b, [2, 3]);
  all.o.push(oR); all.b.push(bR); all.early.push(early); all.late.push(late);
  console.log(f.replace(/.*run-/, '').slice(0, 20).padEnd(20), `o r4/r1 ${oR.toFixed(2)}  b r4/r1 ${bR.toFixed(2)}  ratio rounds1-2 ${early.toFixed(2)}  rounds3-4 ${late.toFixed(2)}  whole ${(sum(o,[0,1,2,3])/sum(b,[0,1,2,3])).toFixed(2)}`);
}
console.log(`geomean: o r4/r1 ${g(all.o).toFixed(2)}, b ${g(all.b).toFixed(2)}, ratio rounds 1-2 ${g(all.early).toFixed(2)}, rounds 3-4 ${g(all.late).toFixed(2)}; n=${all.o.length}; late<1: ${all.late.filter(x=>x<1).length}, early<1: ${all.early.filter(x=>x<1).length}`);
