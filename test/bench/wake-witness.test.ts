/**
 * The bench's wake witness for real: compiled with cc, it must count its wake-ups per window
 * and report a stall it did not cause as lateness: stopped (SIGSTOP) for a known time, its
 * next wake-up is late by about that time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep, start, type Proc } from '../../bench/lib/procs.js';
import { buildWakeWitness, parseWindow, wakeWitnessOn, type WakeWitness } from '../../bench/lib/wake-witness.js';

const PERIOD_US = 5000;
const STOP_MS = 120;

const buildDir = mkdtempSync(join(tmpdir(), 'wake-witness-test-'));
let proc: Proc;
let witness: WakeWitness;

beforeAll(async () => {
  const built = buildWakeWitness(buildDir);
  if (!built.binary) throw new Error(built.reason);
  proc = start('wake-witness', built.binary, [String(PERIOD_US)]);
  witness = await wakeWitnessOn(proc);
});

afterAll(async () => {
  await witness.stop();
  rmSync(buildDir, { recursive: true, force: true });
});

describe('wake witness', () => {
  it('wakes once per period and starts a new window at each report', async () => {
    await witness.window();
    await sleep(500);
    const w = await witness.window();
    // 100 periods in 500 ms; the report's own round trip and a slow CI host give some slack.
    expect(w.samples).toBeGreaterThanOrEqual(80);
    expect(w.samples).toBeLessThanOrEqual(130);
    expect(w.p50).toBeLessThanOrEqual(w.p99);
    expect(w.p99).toBeLessThanOrEqual(w.max);
    const next = await witness.window();
    expect(next.samples).toBeLessThan(20);
  });

  it('reports a stall it was put through as one late wake-up of about its length', async () => {
    await witness.window();
    process.kill(proc.pid, 'SIGSTOP');
    await sleep(STOP_MS);
    process.kill(proc.pid, 'SIGCONT');
    await sleep(50);
    const w = await witness.window();
    expect(w.max).toBeGreaterThanOrEqual(STOP_MS - PERIOD_US / 1000 - 1);
    expect(w.over10ms).toBeGreaterThanOrEqual(1);
    // One late wake-up, not one per missed period (~24 would be): the schedule starts again
    // after it. A busy test host may add a late wake-up or two of its own.
    expect(w.over10ms).toBeLessThanOrEqual(5);
  });

  it('rejects a report line without its figures, naming the key', () => {
    expect(() => parseWindow('{"samples":3,"p50":1}')).toThrow(/"p99"/);
    expect(parseWindow('{"samples":3,"p50":90.5,"p99":1460,"max":29340,"over5ms":2,"over10ms":1}')).toEqual({ samples: 3, p50: 0.0905, p99: 1.46, max: 29.34, over5ms: 2, over10ms: 1 });
  });

  it('fails a report asked of a witness that has exited, instead of waiting for ever', async () => {
    const built = buildWakeWitness(buildDir);
    if (!built.binary) throw new Error(built.reason);
    const short = await wakeWitnessOn(start('wake-witness', built.binary, [String(PERIOD_US)]));
    await short.stop();
    await expect(short.window()).rejects.toThrow(/wake-witness exited/);
  });
});
