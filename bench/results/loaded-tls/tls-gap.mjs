// TLS 1.3 handshake, this exporter minus blackbox_exporter, per case of each results JSON given:
// dTruth: difference of the wire truth's excess over the RTT (nominal median minus wire median),
//         i.e. how much longer the far side and the link took for this exporter's handshakes;
// dWire:  difference of the median error against the wire (each exporter's own error);
// dMin:   difference of the fastest handshake against the wire.
// Usage: node tls-gap.mjs FILE.json...
import { readFileSync } from 'node:fs';
for (const f of process.argv.slice(2)) {
  const r = JSON.parse(readFileSync(f, 'utf8'));
  const out = [];
  for (const c of r.accuracy?.cases ?? []) {
    if (c.jitterMs || c.tls !== '1.3' || c.rttMs === 0) continue;
    const tls = (k) => c.exporters.find((e) => e.exporter === k)?.phases.find((p) => p.phase === 'tls');
    const o = tls('o365'), b = tls('blackbox');
    if (!o || !b) continue;
    const excess = (p) => p.nominal.median - p.wire.median;
    out.push(`${c.rttMs}${c.loaded ? 'L' : ''}: dTruth ${(excess(o) - excess(b)).toFixed(2)} dWire ${(o.wire.median - b.wire.median).toFixed(2)} dMin ${(o.wire.min - b.wire.min).toFixed(2)}`);
  }
  console.log(f.split('/').at(-1).replace(/\.json$/, '').padEnd(22), out.join(' | '));
}
