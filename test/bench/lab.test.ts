/**
 * The bench lab's own addressing: labs made at once on one machine (a bench run beside the
 * test suite's, or two in one process) each get their own control link. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { createLab, startedNiceness, type Lab } from '../../bench/lib/lab.js';
import { sleep, statField } from '../../bench/lib/procs.js';

const labs: Lab[] = [];

afterAll(async () => {
  for (const lab of labs) await lab.close();
});

it('gives labs made at once their own control subnet, each reachable from the root namespace', async () => {
  const options = { maxSeconds: 60, nice: 0, realtimeLink: false, linkKind: 'python', linkClock: 'read' } as const;
  labs.push(await createLab(options));
  labs.push(await createLab(options));
  const [a, b] = labs.map((lab) => lab.nearControlAddress);
  expect(a).not.toBe(b);
  for (const lab of labs) {
    const out = execFileSync('ip', ['-o', 'route', 'get', lab.nearControlAddress], { encoding: 'utf8' });
    expect(out).toContain(`dev ${lab.near.replace(/-near$/, '')}v`);
  }
}, 30_000);

it('starts its processes at nice -n N on top of the harness\'s niceness, as the report says', async () => {
  // Lowering priority needs no privilege; 1 keeps the suite's processes as they are.
  const lab = await createLab({ maxSeconds: 60, nice: 1, realtimeLink: false, linkKind: 'python', linkClock: 'read' });
  labs.push(lab);
  const proc = lab.exec(lab.near, 'sleeper', 'sleep', ['30']);
  await sleep(200);
  expect(Number(statField(proc.pid, 19))).toBe(Number(statField(process.pid, 19)) + 1);
  await proc.stop();
  // What the report derives for a harness that set its own niceness to N first (run.ts).
  expect([startedNiceness(-10), startedNiceness(-15), startedNiceness(5), startedNiceness(15)]).toEqual([-20, -20, 10, 19]);
}, 30_000);
