/**
 * The bench lab's own addressing: labs made at once on one machine (a bench run beside the
 * test suite's, or two in one process) each get their own control link. Needs root.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, expect, it } from 'vitest';
import { createLab, type Lab } from '../../bench/lib/lab.js';

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
