/**
 * The bench's link emulator for real: two namespaces, TUN devices, the Python forwarder.
 * Needs root (as the rest of the bench); checks only lower bounds on delays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLab, type Lab } from '../../bench/lib/lab.js';
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

let lab: Lab;
let echo: Proc;

async function ping(count: number, mode: 'wait' | 'burst', limitMs = 10_000): Promise<number[]> {
  const proc = lab.exec(lab.near, 'ping', process.execPath, ['-e', PING, lab.farAddress, String(count), mode, String(limitMs)]);
  const [, json] = await proc.waitFor(/(?:RTTS|TIMEOUT) (\[.*\])/);
  await proc.exited;
  return JSON.parse(json as string) as number[];
}

beforeAll(async () => {
  lab = await createLab({ maxSeconds: 120, nice: 0, realtimeLink: false });
  echo = lab.exec(lab.far, 'echo', process.execPath, ['-e', ECHO, lab.farAddress]);
  await echo.waitFor(/echo ready/);
});

afterAll(async () => {
  await stopAll();
  await lab?.close();
});

describe('link emulator', () => {
  it('holds every packet at least the set one-way delay, both ways', async () => {
    await lab.link.set(15);
    await lab.link.dump();
    const rtts = await ping(5, 'wait');
    expect(rtts).toHaveLength(5);
    for (const rtt of rtts) expect(rtt).toBeGreaterThanOrEqual(30);
    const udp = (await lab.link.dump()).filter((p) => p.proto === 17);
    expect(udp.filter((p) => p.dir === 'ab')).toHaveLength(5);
    expect(udp.filter((p) => p.dir === 'ba')).toHaveLength(5);
    for (const p of udp) {
      expect(p.sent - p.got).toBeGreaterThanOrEqual(15e6);
      expect(p.sent).toBeGreaterThanOrEqual(p.due);
    }
  });

  it('varies the delay with jitter without reordering a direction', async () => {
    await lab.link.set(10, 8);
    await lab.link.dump();
    const rtts = await ping(30, 'burst');
    expect(rtts).toHaveLength(30);
    const ab = (await lab.link.dump()).filter((p) => p.proto === 17 && p.dir === 'ab').sort((a, b) => a.got - b.got);
    expect(ab).toHaveLength(30);
    for (let i = 1; i < ab.length; i++) expect(ab[i]!.sent).toBeGreaterThanOrEqual(ab[i - 1]!.sent);
    for (const p of ab) expect(p.sent - p.got).toBeGreaterThanOrEqual(2e6);
    // 30 uniform draws in [2, 18] ms: not all the same hold.
    const dues = new Set(ab.map((p) => Math.round((p.due - p.got) / 1e5)));
    expect(dues.size).toBeGreaterThan(1);
  });

  it('drops everything at loss 1', async () => {
    await lab.link.set(1, 0, 1);
    await lab.link.dump();
    // Nothing comes back: the pinger gives up after its limit, whatever the machine's speed.
    const rtts = await ping(3, 'burst', 1000);
    expect(rtts).toEqual([]);
    expect((await lab.link.dump()).filter((p) => p.proto === 17)).toEqual([]);
    await lab.link.set(0);
  });
});
