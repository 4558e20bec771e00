// Size of V8's young generation after an allocation loop, per Node binary.
//   node young-gen.mjs            as the exporter starts
//   node young-gen.mjs runtime    the cap set from JavaScript (v8.setFlagsFromString), as src/util/heap-policy.ts sets its flag
//   node --max-semi-space-size=16 young-gen.mjs   (or NODE_OPTIONS=...) the cap on the command line
import v8 from 'node:v8';

if (process.argv[2] === 'runtime') v8.setFlagsFromString('--max-semi-space-size=16');
let keep = [];
for (let i = 0; i < 3e6; i++) {
  const o = { a: i, b: 'x' + i, c: [i, i + 1] };
  if (i % 50 === 0) keep.push(o);
  if (keep.length > 20000) keep = keep.slice(10000);
}
const mib = (n) => (n / 2 ** 20).toFixed(1);
const spaces = v8.getHeapSpaceStatistics().filter((s) => /^(new|old)_space$/.test(s.space_name));
console.log(process.version, spaces.map((s) => `${s.space_name} ${mib(s.space_size)} MiB`).join(', '),
  `rss ${mib(process.memoryUsage().rss)} MiB`, `heap limit ${mib(v8.getHeapStatistics().heap_size_limit)} MiB`);
