import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCpuIdle, holdCpuIdle, idleEntries, type CpuIdlePaths } from '../../bench/lib/cpu-idle.js';

/** A sysfs-like tree: cpuidle/current_driver and cpuN/cpuidle/stateM/{name,usage}. */
function fakeCpus(root: string, driver: string | undefined, states: Record<string, string[]>): void {
  if (driver !== undefined) {
    mkdirSync(join(root, 'cpuidle'), { recursive: true });
    writeFileSync(join(root, 'cpuidle', 'current_driver'), `${driver}\n`);
  }
  for (const [cpu, names] of Object.entries(states)) {
    names.forEach((name, i) => {
      const dir = join(root, cpu, 'cpuidle', `state${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'name'), `${name}\n`);
      writeFileSync(join(dir, 'usage'), '0\n');
    });
  }
}

const setUsage = (root: string, cpu: string, state: number, usage: number) => writeFileSync(join(root, cpu, 'cpuidle', `state${state}`, 'usage'), `${usage}\n`);

/** File descriptors of this process open on `path`. */
const openOn = (path: string) => readdirSync('/proc/self/fd').filter((fd) => {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`) === path;
  } catch {
    return false;
  }
}).length;

describe('holding idle CPUs at polling for a bench run', () => {
  let root: string;
  let paths: CpuIdlePaths;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'o365-cpuidle-'));
    paths = { device: join(root, 'cpu_dma_latency'), cpuDir: join(root, 'cpu') };
    writeFileSync(paths.device, '');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes a 0 us request, keeps it open until release, and counts the idle entries in between', () => {
    fakeCpus(paths.cpuDir, 'haltpoll', { cpu0: ['POLL', 'haltpoll idle'], cpu1: ['POLL', 'haltpoll idle'], cpufreq: [] });
    setUsage(paths.cpuDir, 'cpu0', 0, 5);
    setUsage(paths.cpuDir, 'cpu1', 1, 1000);
    const hold = holdCpuIdle('poll', paths);
    expect(hold.state).toEqual({ requested: 'poll', held: true, driver: 'haltpoll' });
    expect([...readFileSync(paths.device)]).toEqual([0, 0, 0, 0]);
    expect(openOn(paths.device)).toBe(1);
    setUsage(paths.cpuDir, 'cpu0', 0, 905);
    setUsage(paths.cpuDir, 'cpu1', 0, 100);
    setUsage(paths.cpuDir, 'cpu1', 1, 1010);
    hold.release();
    expect(openOn(paths.device)).toBe(0);
    expect(hold.state.entries).toEqual({ poll: 1000, deeper: 10 });
    expect(describeCpuIdle(hold.state)).toBe('held at polling (/dev/cpu_dma_latency 0 us, cpuidle driver haltpoll); 99.0 % of 1010 idle entries polled');
    setUsage(paths.cpuDir, 'cpu0', 0, 5000);
    hold.release(); // a second release changes nothing: the counts are the run's
    expect(hold.state.entries).toEqual({ poll: 1000, deeper: 10 });
  });

  it('leaves idle to the kernel when asked, without touching the device', () => {
    fakeCpus(paths.cpuDir, 'intel_idle', { cpu0: ['POLL', 'C1', 'C6'] });
    const hold = holdCpuIdle('default', paths);
    expect(hold.state.held).toBe(false);
    expect(openOn(paths.device)).toBe(0);
    setUsage(paths.cpuDir, 'cpu0', 2, 40);
    hold.release();
    expect(readFileSync(paths.device).length).toBe(0);
    expect(describeCpuIdle(hold.state)).toBe('left to the kernel (--cpu-idle=default); 0.0 % of 40 idle entries polled');
  });

  it('goes on without the request when the device cannot be opened, and says why', () => {
    fakeCpus(paths.cpuDir, 'acpi_idle', { cpu0: ['POLL', 'C1'] });
    const device = join(root, 'missing');
    const hold = holdCpuIdle('poll', { ...paths, device });
    expect(hold.state).toMatchObject({ held: false, why: `${device}: ENOENT` });
    hold.release();
    expect(describeCpuIdle(hold.state)).toBe(`left to the kernel (${device}: ENOENT)`);
  });

  it('says the request changes nothing on a kernel without a cpuidle driver, and what would', () => {
    mkdirSync(join(paths.cpuDir, 'cpu0'), { recursive: true });
    const hold = holdCpuIdle('poll', paths);
    hold.release();
    expect(hold.state).toMatchObject({ held: true, driver: 'none', entries: { poll: 0, deeper: 0 } });
    expect(describeCpuIdle(hold.state)).toBe(
      'held at polling (/dev/cpu_dma_latency 0 us, cpuidle driver none: idle CPUs halt whatever is asked); `--cpu-idle=spin` would keep them from halting in the idle accuracy cases (bench/results/idle-spinners/)',
    );
  });

  it('holds the request for spin too, and says the idle accuracy cases get busy loops', () => {
    mkdirSync(join(paths.cpuDir, 'cpu0'), { recursive: true });
    const hold = holdCpuIdle('spin', paths);
    hold.release();
    expect(hold.state).toMatchObject({ requested: 'spin', held: true, driver: 'none' });
    expect(describeCpuIdle(hold.state)).toBe('held at polling (/dev/cpu_dma_latency 0 us, cpuidle driver none: idle CPUs halt whatever is asked); idle accuracy cases with a SCHED_IDLE busy loop per CPU (machine CPU busy reads ~100 % per CPU there)');
  });

  it('gives no counts when the counters cannot be read at the start, rather than counts since boot', () => {
    const hold = holdCpuIdle('poll', { ...paths, cpuDir: join(root, 'no-such-dir') });
    hold.release();
    expect(hold.state.held).toBe(true);
    expect(hold.state.entries).toBeUndefined();
  });

  it('reads this machine\'s counters as whole numbers that never run backwards', () => {
    const first = idleEntries();
    const second = idleEntries();
    for (const n of [first.poll, first.deeper]) expect(Number.isInteger(n) && n >= 0).toBe(true);
    expect(second.poll + second.deeper).toBeGreaterThanOrEqual(first.poll + first.deeper);
  });
});
