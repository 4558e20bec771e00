/**
 * What one pass through the link emulator costs: at 0 ms delay, a UDP echo across the link
 * (two passes) timed by the client and the emulator's residence time (written minus read) from
 * its log; at 5 ms, how late it writes packets (written minus due). For each emulator, and for
 * the C one with each spin in LINK_SPINS (default "100"; env LINK_SPIN_US and LINK_HOT_US of the emulator).
 * Usage (root): [LINK_SPINS=0,100,300,100:1000] node --import tsx bench/link/measure-pass.ts [COUNT]
 */
import { createLab } from '../lib/lab.js';
import { stopAll } from '../lib/procs.js';
import { quantile } from '../lib/stats.js';

const ECHO = `const d = require('dgram').createSocket('udp4');
d.on('message', (m, r) => d.send(m, r.port, r.address));
d.bind(7, process.argv[1], () => console.log('echo ready'));`;
const PING = `const d = require('dgram').createSocket('udp4');
const [host, count] = process.argv.slice(1); const rtts = []; let t = 0n;
const send = () => { t = process.hrtime.bigint(); d.send('x', 7, host); };
d.on('message', () => { rtts.push(Number(process.hrtime.bigint() - t) / 1e3); if (rtts.length === Number(count)) { console.log('RTTS ' + JSON.stringify(rtts)); process.exit(0); } setTimeout(send, 2); });
send();`;

const count = Number(process.argv[2] ?? 300);
const us = (xs: number[]) => `median ${quantile(xs, 0.5).toFixed(0)} us, p99 ${quantile(xs, 0.99).toFixed(0)} us`;
// LINK_SPINS: comma-separated SPIN or SPIN:HOT (microseconds) for the C emulator.
const runs = [...(process.env.LINK_SPINS ?? '100').split(',').map((spin) => ({ kind: 'c' as const, spin })), { kind: 'python' as const, spin: '300' }];
for (const { kind, spin } of runs) {
  const [spinUs = '100', hotUs = '0'] = spin.split(':');
  process.env.LINK_SPIN_US = spinUs;
  process.env.LINK_HOT_US = hotUs;
  const lab = await createLab({ maxSeconds: 120, nice: -10, realtimeLink: true, linkKind: kind });
  try {
    const echo = lab.exec(lab.far, 'echo', process.execPath, ['-e', ECHO, lab.farAddress]);
    await echo.waitFor(/echo ready/);
    await lab.link.set(0);
    await lab.link.dump();
    const ping = lab.exec(lab.near, 'ping', process.execPath, ['-e', PING, lab.farAddress, String(count)]);
    const [, json] = await ping.waitFor(/RTTS (\[.*\])/, 60_000);
    const rtts = JSON.parse(json as string) as number[];
    const packets = (await lab.link.dump()).filter((p) => p.proto === 17);
    await lab.link.set(2.5);
    const delayed = lab.exec(lab.near, 'ping', process.execPath, ['-e', PING, lab.farAddress, String(count)]);
    await delayed.waitFor(/RTTS/, 120_000);
    const late = (await lab.link.dump()).filter((p) => p.proto === 17).map((p) => (p.sent - p.due) / 1e3);
    console.log(`${kind} (spin:hot ${spin} us): 0 ms: echo RTT (2 passes) ${us(rtts)}, residence per pass ${us(packets.map((p) => (p.sent - p.got) / 1e3))}; 2.5 ms one way: lateness ${us(late)}`);
  } finally {
    await stopAll();
    await lab.close();
  }
}
