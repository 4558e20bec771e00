/**
 * The scheduler with a fake runProbe (the network is not the subject here) and real timers
 * on short intervals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from '../../src/probes/target.js';
import { ResultStore, type ResultObserver } from '../../src/scheduler/results.js';
import { Scheduler, startupWindowSeconds, type SchedulerHooks } from '../../src/scheduler/scheduler.js';
import { slotOffset } from '../../src/scheduler/spread.js';
import { poll } from '../helpers/process.js';
import { failedResult, fakeTarget, okResult } from '../helpers/targets.js';

interface Call {
  name: string;
  at: number;
  signal: AbortSignal;
}

/** A fake probe recording its calls; `hold` decides how long each call lasts. */
function fakeProbe(hold: (call: Call) => Promise<void> = () => Promise.resolve()) {
  const calls: Call[] = [];
  const running = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxSelfOverlap = 0;
  const run = async (target: ProbeTarget, _options: ProbeOptions, ctx: ProbeContext): Promise<ProbeResult> => {
    const call = { name: target.name, at: Date.now(), signal: ctx.signal };
    calls.push(call);
    running.set(target.name, (running.get(target.name) ?? 0) + 1);
    maxSelfOverlap = Math.max(maxSelfOverlap, running.get(target.name) ?? 0);
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      await hold(call);
      return ctx.signal.aborted ? failedResult('connect', 'aborted', {}) : okResult();
    } finally {
      inFlight--;
      running.set(target.name, (running.get(target.name) ?? 1) - 1);
    }
  };
  return { run, calls, stats: () => ({ maxInFlight, maxSelfOverlap }), callsOf: (name: string) => calls.filter((c) => c.name === name) };
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** Waits `ms` or until the probe's signal aborts. */
const holdFor = (ms: number) => (call: Call) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    call.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
/** Waits until the probe's signal aborts. */
const untilAborted = (call: Call) => new Promise<void>((resolve) => (call.signal.aborted ? resolve() : call.signal.addEventListener('abort', () => resolve(), { once: true })));

class Recorder implements ResultObserver {
  observed: string[] = [];
  forgotten: string[] = [];
  observe(target: ScheduledTarget): void {
    this.observed.push(target.key);
  }
  forget(target: ScheduledTarget): void {
    this.forgotten.push(target.key);
  }
}

const schedulers: Scheduler[] = [];
function makeScheduler(run: ReturnType<typeof fakeProbe>['run'], observers: ResultObserver[], maxConcurrency = 64, hooks: SchedulerHooks = {}): Scheduler {
  const scheduler = new Scheduler(run, observers, maxConcurrency, hooks);
  schedulers.push(scheduler);
  return scheduler;
}
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
});

describe('Scheduler', () => {
  it('runs every target at once on start, before its first slot', async () => {
    const probe = fakeProbe();
    const recorder = new Recorder();
    const targets = ['a', 'b', 'c'].map((n) => fakeTarget(n, { intervalSeconds: 3600 }));
    // Their first slots are minutes away, so a run now can only be the immediate first run.
    for (const t of targets) expect(slotOffset(t.key, 3600)).toBeGreaterThan(60);
    const scheduler = makeScheduler(probe.run, [recorder]);
    expect(scheduler.ready).toBe(true); // no targets yet: nothing to wait for
    scheduler.setTargets(targets);
    await poll('three first runs', () => (recorder.observed.length === 3 ? true : undefined), 5000, 5);
    expect(recorder.observed.sort()).toEqual(['a|direct', 'b|direct', 'c|direct']);
    expect(scheduler.targets.map((t) => t.key)).toEqual(['a|direct', 'b|direct', 'c|direct']);
  });

  it('spreads the first runs of thousands of targets added at once over a window, not all at once', async () => {
    expect(startupWindowSeconds(6, 30)).toBeLessThan(0.1); // the default config: at once
    expect(startupWindowSeconds(5_000, 15)).toBe(15); // never beyond the interval
    const probe = fakeProbe();
    const recorder = new Recorder();
    const count = 2_500; // a 10 s window at the start-up rate
    const scheduler = makeScheduler(probe.run, [recorder], 10_000);
    const startedAt = Date.now();
    scheduler.setTargets(Array.from({ length: count }, (_, i) => fakeTarget(`t${i}`, { intervalSeconds: 3600 })));
    await poll('a first run', () => (probe.calls.length > 0 ? true : undefined), 5000, 5);
    await delay(500);
    // Timers never fire early: by now at most the first (elapsed / window) of the targets ran.
    const elapsed = (Date.now() - startedAt) / 1000;
    expect(probe.calls.length).toBeLessThanOrEqual(Math.ceil(count * (elapsed / 10)) + 1);
    expect(scheduler.ready).toBe(false);
    // Each first run is at the target's place in the window.
    for (const call of probe.calls) expect(call.at - startedAt).toBeGreaterThanOrEqual(Math.floor(slotOffset(`${call.name}|direct`, 10) * 1000) - 1);
  });

  it('keeps to its slots: a fast probe misses no slot and never runs twice in one slot', async () => {
    const probe = fakeProbe();
    const missed: string[] = [];
    const scheduler = makeScheduler(probe.run, [], 64, { slotMissed: (t) => missed.push(t.name) });
    const target = fakeTarget('fast', { intervalSeconds: 0.1 });
    const anchor = Date.now() + slotOffset(target.key, 0.1) * 1000;
    scheduler.setTargets([target]);
    await poll('12 runs', () => (probe.calls.length >= 12 ? true : undefined), 15_000);
    await scheduler.stop();
    expect(missed).toEqual([]);
    // The slot each scheduled run belongs to (2 ms of slack: timers may fire a little early,
    // and late ones still land in their own slot). No slot may be run twice.
    const slots = probe.calls.slice(1).map((c) => Math.floor((c.at + 2 - anchor) / 100));
    expect(new Set(slots).size).toBe(slots.length);
  });

  it('never overlaps a target with itself: busy slots are counted as missed', async () => {
    const probe = fakeProbe(holdFor(350));
    const missed: string[] = [];
    const scheduler = makeScheduler(probe.run, [], 64, { slotMissed: (t) => missed.push(t.name) });
    scheduler.setTargets([fakeTarget('slow', { intervalSeconds: 0.1 })]);
    await poll('three runs of the slow probe', () => (probe.calls.length >= 3 ? true : undefined), 10_000);
    expect(probe.stats().maxSelfOverlap).toBe(1);
    // About 3 of every 4 slots fall while the 350 ms probe runs on a 100 ms interval.
    expect(missed.length).toBeGreaterThanOrEqual(probe.calls.length);
    expect(new Set(missed)).toEqual(new Set(['slow']));
  });

  it('respects the global concurrency cap, and runs everything eventually', async () => {
    const probe = fakeProbe(holdFor(60));
    const inFlightReports: number[] = [];
    const recorder = new Recorder();
    const scheduler = makeScheduler(probe.run, [recorder], 2, { inFlightChanged: (n) => inFlightReports.push(n) });
    scheduler.setTargets(['a', 'b', 'c', 'd', 'e', 'f'].map((n) => fakeTarget(n, { intervalSeconds: 3600 })));
    await poll('six runs', () => (recorder.observed.length === 6 ? true : undefined), 10_000);
    expect(probe.stats().maxInFlight).toBe(2);
    expect(Math.max(...inFlightReports)).toBe(2);
    expect(inFlightReports.at(-1)).toBe(0);
  });

  it('raising the cap lets waiting probes start', async () => {
    const probe = fakeProbe(untilAborted);
    const scheduler = makeScheduler(probe.run, [], 1);
    scheduler.setTargets(['a', 'b', 'c'].map((n) => fakeTarget(n, { intervalSeconds: 3600 })));
    await poll('one probe running', () => (probe.calls.length === 1 ? true : undefined));
    scheduler.setMaxConcurrency(3);
    await poll('all three running', () => (probe.calls.length === 3 ? true : undefined));
    expect(probe.stats().maxInFlight).toBe(3);
  });

  it('reload keeps the history of kept targets, forgets removed ones and starts new ones', async () => {
    const probe = fakeProbe();
    const store = new ResultStore();
    const recorder = new Recorder();
    const scheduler = makeScheduler(probe.run, [store, recorder]);
    scheduler.setTargets([fakeTarget('keep', { intervalSeconds: 0.05 }), fakeTarget('drop', { intervalSeconds: 3600 })]);
    await poll('history of keep', () => ((store.get('keep|direct')?.history.length ?? 0) >= 3 ? true : undefined));
    expect(store.get('drop|direct')?.last).toBeDefined();
    const before = store.get('keep|direct')?.history.length ?? 0;

    const kept = fakeTarget('keep', { intervalSeconds: 0.05, service: 'Renamed' });
    scheduler.setTargets([kept, fakeTarget('new', { intervalSeconds: 3600 })]);
    expect(recorder.forgotten).toEqual(['drop|direct']);
    expect(store.get('drop|direct')).toBeUndefined();
    expect(scheduler.targets.map((t) => t.key).sort()).toEqual(['keep|direct', 'new|direct']);
    await poll('first run of new', () => (store.get('new|direct')?.last ? true : undefined));
    await poll('more history of keep', () => ((store.get('keep|direct')?.history.length ?? 0) > before ? true : undefined));
    expect(store.get('keep|direct')?.target.service).toBe('Renamed');
    const dropRuns = probe.callsOf('drop').length;
    await delay(150);
    expect(probe.callsOf('drop').length).toBe(dropRuns);
  });

  it('a result of a target removed while its probe ran is dropped', async () => {
    let release = () => {};
    const probe = fakeProbe(() => new Promise<void>((resolve) => (release = resolve)));
    const recorder = new Recorder();
    const scheduler = makeScheduler(probe.run, [recorder]);
    scheduler.setTargets([fakeTarget('gone', { intervalSeconds: 3600 })]);
    await poll('probe started', () => (probe.calls.length === 1 ? true : undefined));
    scheduler.setTargets([]);
    release();
    await scheduler.stop();
    expect(recorder.observed).toEqual([]);
    expect(recorder.forgotten).toEqual(['gone|direct']);
  });

  it('stop() aborts running probes and waiting ones, and resolves', async () => {
    const probe = fakeProbe(untilAborted);
    const scheduler = makeScheduler(probe.run, [], 1);
    scheduler.setTargets([fakeTarget('a', { intervalSeconds: 3600 }), fakeTarget('b', { intervalSeconds: 3600 })]);
    await poll('first probe running', () => (probe.calls.length === 1 ? true : undefined));
    await scheduler.stop();
    expect(probe.calls[0]?.signal.aborted).toBe(true);
    expect(String(probe.calls[0]?.signal.reason)).toContain('exporter stopping');
    // b was waiting for the limiter: it never started.
    expect(probe.calls).toHaveLength(1);
  });

  it('aborts a probe that overruns its timeout (plus a grace second) and runs it again later', async () => {
    const probe = fakeProbe(untilAborted);
    const scheduler = makeScheduler(probe.run, []);
    scheduler.setTargets([fakeTarget('stuck', { intervalSeconds: 0.2, timeoutSeconds: 0.1 })]);
    await poll('second run', () => (probe.calls.length >= 2 ? true : undefined), 10_000);
    const [first, second] = probe.calls;
    expect(String(first?.signal.reason)).toContain('probe exceeded its timeout');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(1000);
  });

  it('is ready once every target ran once, and stays ready when a reload adds targets', async () => {
    const gates = new Map<string, () => void>();
    const probe = fakeProbe((call) =>
      new Promise<void>((resolve) => {
        gates.set(call.name, resolve);
        call.signal.addEventListener('abort', () => resolve(), { once: true });
      }),
    );
    const scheduler = makeScheduler(probe.run, []);
    scheduler.setTargets([fakeTarget('a', { intervalSeconds: 3600 }), fakeTarget('b', { intervalSeconds: 3600 })]);
    await poll('both running', () => (gates.size === 2 ? true : undefined));
    expect(scheduler.ready).toBe(false);
    gates.get('a')?.();
    await delay(20);
    expect(scheduler.ready).toBe(false);
    gates.get('b')?.();
    await poll('ready', () => (scheduler.ready ? true : undefined));
    scheduler.setTargets([fakeTarget('a', { intervalSeconds: 3600 }), fakeTarget('b', { intervalSeconds: 3600 }), fakeTarget('c', { intervalSeconds: 3600 })]);
    expect(scheduler.ready).toBe(true);
  });
});
