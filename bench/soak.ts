/**
 * `npm run soak`: the 10-minute soak (the CI test, test/faults/soak.test.ts, runs 1 minute
 * of the same thing). Builds, runs the exporter against 300 local targets with random
 * faults, samples it every 2 s and writes bench/results/soak.json: options, the machine,
 * the flatness summary (second quarter against last quarter) and every sample.
 * Flags: --minutes=N (default 10), --targets=N (default 300), --seed=N, --out=FILE.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeFlatness, flatness, soakVerdicts } from '../test/helpers/soak-stats.js';
import { runSoak } from '../test/helpers/soak.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    targets: { type: 'string', default: '300' },
    seed: { type: 'string', default: '8' },
    out: { type: 'string', default: 'bench/results/soak.json' },
  },
});
const minutes = Number(values.minutes);
const targets = Number(values.targets);
const seed = Number(values.seed);
if (!(minutes > 0) || !(targets > 0) || !Number.isInteger(seed)) throw new Error('--minutes, --targets and --seed must be positive numbers');

const log = (line: string) => process.stderr.write(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const loadBefore = loadavg();
log(`${targets} targets for ${minutes} min (seed ${seed}); load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')}`);
let count = 0;
const result = await runSoak({ durationMs: minutes * 60_000, targets, seed, sampleEveryMs: 2000, log: (line) => ++count % 15 === 1 && log(line) });
const summary = flatness(result.samples);
const verdicts = soakVerdicts(summary);
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
const machine = { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadBefore, loadAfter: loadavg() };
writeFileSync(out, `${JSON.stringify({ when: new Date().toISOString(), minutes, targets, seed, toggles: result.toggles, machine, flatness: summary, verdicts, samples: result.samples })}\n`);
log(describeFlatness(summary));
for (const v of verdicts) log(`${v.pass ? 'pass' : 'FAIL'}  ${v.name}`);
log(`${result.samples.length} samples written to ${out}`);
process.exitCode = verdicts.every((v) => v.pass) ? 0 : 1;
