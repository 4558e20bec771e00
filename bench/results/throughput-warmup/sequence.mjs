import { readFileSync } from 'node:fs';
for (const f of process.argv.slice(2)) {
  const j = JSON.parse(readFileSync(f, 'utf8'));
  for (const k of ['o365', 'blackbox']) {
    const seq = j.throughput.filter((s) => s.exporter === k).map((s) => `c${s.concurrency}: ` + s.rounds.map((r) => (r.probes / r.cpuSeconds).toFixed(0)).join(' '));
    console.log(k.padEnd(9), seq.join(' | '));
  }
}
