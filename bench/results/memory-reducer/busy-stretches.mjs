// busy stretches (consecutive non-idle samples) longer than a threshold, with their top frames
import { readFileSync } from 'node:fs';
const p = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(p.nodes.map((n) => [n.id, n])); const parent = new Map();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id) => { const n = byId.get(id).callFrame; return `${n.functionName || '(anon)'} ${n.url.split('/').slice(-2).join('/')}:${n.lineNumber}`; };
const stack = (id) => { const s = []; for (let x = id; x !== undefined; x = parent.get(x)) s.push(name(x)); return s; };
let t = p.startTime; const times = p.timeDeltas.map((d) => (t += d));
const idle = (id) => ['(idle)', '(program)'].includes(byId.get(id).callFrame.functionName);
let start = -1; const out = [];
for (let i = 0; i <= p.samples.length; i++) {
  const busy = i < p.samples.length && !idle(p.samples[i]);
  if (busy && start < 0) start = i;
  if (!busy && start >= 0) { const ms = (times[i - 1] - times[start]) / 1000; if (ms >= Number(process.argv[3] ?? 5)) out.push({ at: ((times[start] - p.startTime) / 1e6).toFixed(2), ms: ms.toFixed(1), start, end: i }); start = -1; }
}
for (const o of out) {
  const counts = new Map();
  for (let i = o.start; i < o.end; i++) for (const f of new Set(stack(p.samples[i]).slice(0, 12))) counts.set(f, (counts.get(f) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 14).map(([f, c]) => `${c} ${f}`);
  console.log(`at ${o.at} s: ${o.ms} ms busy, ${o.end - o.start} samples\n   ${top.join('\n   ')}`);
}
