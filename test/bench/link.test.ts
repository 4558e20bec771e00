/**
 * The bench's link emulators for real (the C one and the Python fallback, same protocol):
 * two namespaces, TUN devices. Needs root (as the rest of the bench) and cc for the C one;
 * checks only lower bounds on delays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../bench/lib/lab.js';
import { linkProgram } from '../../bench/lib/link.js';
import { stopAll, type Proc } from '../../bench/lib/procs.js';

const ECHO = `const d = require('dgram').createSocket('udp4');
d.on('message', (m, r) => d.send(m, r.port, r.address));
d.bind(7, process.argv[1], () => console.log('echo ready'));`;

/** Sends argv[2] datagrams, one after the other's echo when argv[3] is "wait", else all at once; gives up after argv[4] ms. */
const PING = `const d = require('dgram').createSocket('udp4');
const [host, count, mode, limit] = process.argv.slice(1);
const rtts = []; let sent = 0; const t = new Map();
const send = () => { const i = sent++; t.set(i, process.hrtime.bigint()); d.send(Buffer.from(String(i)), 7, host); };
d.on('message', (m) => {
  rtts.push(Number(process.hrtime.bigint() - t.get(Number(m))) / 1e6);
  if (rtts.length === Number(count)) { console.log('RTTS ' + JSON.stringify(rtts)); process.exit(0); }
  if (mode === 'wait') send();
});
if (mode === 'wait') send(); else for (let i = 0; i < Number(count); i++) send();
setTimeout(() => { console.log('TIMEOUT ' + JSON.stringify(rtts)); process.exit(1); }, Number(limit));`;

let lab: Lab | undefined;
let echo: Proc;

async function ping(lab: Lab, count: number, mode: 'wait' | 'burst', limitMs = 10_000): Promise<number[]> {
  const proc = lab.exec(lab.near, 'ping', process.execPath, ['-e', PING, lab.farAddress, String(count), mode, String(limitMs)]);
  const [, json] = await proc.waitFor(/(?:RTTS|TIMEOUT) (\[.*\])/);
  await proc.exited;
  return JSON.parse(json as string) as number[];
}

function current(): Lab {
  if (!lab) throw new Error('no lab');
  return lab;
}

const buildDir = mkdtempSync(join(tmpdir(), 'link-test-'));

afterAll(async () => {
  await stopAll();
  await lab?.close();
  rmSync(buildDir, { recursive: true, force: true });
});

it('builds the C emulator with cc when asked for "auto"', () => {
  const program = linkProgram('auto', buildDir);
  expect(program.kind).toBe('c');
  expect(program.argv).toEqual([join(buildDir, 'link-emulator')]);
});

describe.each(['c', 'python'] as const)('link emulator (%s)', (kind) => {
  beforeAll(async () => {
    await stopAll();
    await lab?.close();
    lab = await createLab({ maxSeconds: 120, nice: 0, realtimeLink: false, linkKind: kind });
    expect(lab.link.kind).toBe(kind);
    echo = lab.exec(lab.far, 'echo', process.execPath, ['-e', ECHO, lab.farAddress]);
    await echo.waitFor(/echo ready/);
  });

  it('holds every packet at least the set one-way delay, both ways', async () => {
    await current().link.set(15);
    await current().link.dump();
    const rtts = await ping(current(), 5, 'wait');
    expect(rtts).toHaveLength(5);
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(30);
    const udp = (await current().link.dump()).filter((p) => p.proto === 17);
    expect(udp.filter((p) => p.dir === 'ab')).toHaveLength(5);
    expect(udp.filter((p) => p.dir === 'ba')).toHaveLength(5);
    // The log describes each packet (ports, payload) as the wire-truth parser reads it.
    for (const p of udp) expect(p.dir === 'ab' ? p.dport : p.sport).toBe(7);
    for (const p of udp) expect(p.payload).toBeGreaterThan(0);
    for (const p of udp) {
      expect(p.sent - p.got).toBeGreaterThanOrEqual(15e6);
      expect(p.sent).toBeGreaterThanOrEqual(p.due);
    }
  });

  it('varies the delay with jitter without reordering a direction', async () => {
    await current().link.set(10, 8);
    await current().link.dump();
    const rtts = await ping(current(), 30, 'burst');
    expect(rtts).toHaveLength(30);
    const ab = (await current().link.dump()).filter((p) => p.proto === 17 && p.dir === 'ab').sort((a, b) => a.got - b.got);
    expect(ab).toHaveLength(30);
    for (let i = 1; i < ab.length; i++) expect(ab[i]!.sent).toBeGreaterThanOrEqual(ab[i - 1]!.sent);
    for (const p of ab) expect(p.sent - p.got).toBeGreaterThanOrEqual(2e6);
    // 30 uniform draws in [2, 18] ms: not all the same hold.
    const dues = new Set(ab.map((p) => Math.round((p.due - p.got) / 1e5)));
    expect(dues.size).toBeGreaterThan(1);
  });

  it(kind === 'c' ? "times packets from the sending kernel's hand-over to the device, before its own read" : 'keeps its read times (no kernel timestamps) and says why', async () => {
    const lab = current();
    await lab.link.set(5);
    await lab.link.dump();
    const rtts = await ping(lab, 10, 'wait');
    expect(rtts).toHaveLength(10);
    const udp = (await lab.link.dump()).filter((p) => p.proto === 17);
    expect(udp).toHaveLength(20);
    if (kind === 'python') {
      expect(lab.linkClock.kind).toBe('read');
      expect(lab.linkClock.why).toMatch(/Python/);
      for (const p of udp) expect(p.read).toBe(p.got);
      return;
    }
    expect(lab.linkClock).toEqual({ kind: 'kernel' });
    // Every packet got its kernel time (a miss keeps the read time), before the read and
    // within a second of it (a time from another clock would be years away).
    for (const p of udp) {
      expect(p.read).toBeGreaterThan(p.got);
      expect(p.read - p.got).toBeLessThan(1e9);
      // Due at the kernel time plus the delay: the emulator's wake-up is not in the link.
      expect(p.due - p.got).toBe(5e6);
    }
  });

  it('drops everything at loss 1', async () => {
    await current().link.set(1, 0, 1);
    await current().link.dump();
    // Nothing comes back: the pinger gives up after its limit, whatever the machine's speed.
    const rtts = await ping(current(), 3, 'burst', 1000);
    expect(rtts).toEqual([]);
    expect((await current().link.dump()).filter((p) => p.proto === 17)).toEqual([]);
    await current().link.set(0);
  });
});
