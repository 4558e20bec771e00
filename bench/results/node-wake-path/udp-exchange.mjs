import dgram from 'node:dgram';
import { performance } from 'node:perf_hooks';
const port = Number(process.argv[2]); const n = Number(process.argv[3] ?? 200); const gap = Number(process.argv[4] ?? 20);
const sock = dgram.createSocket('udp4');
await new Promise((r) => sock.connect(port, '127.0.0.1', r));
const rtts = [], actives = [], afters = [];
const payload = Buffer.alloc(60, 1);
for (let i = 0; i < n; i++) {
  await new Promise((r) => (gap > 0 ? setTimeout(r, gap) : setImmediate(r)));
  await new Promise((resolve) => {
    let e0, t0;
    sock.once('message', () => {
      const t1 = process.hrtime.bigint();
      const e1 = performance.eventLoopUtilization();
      rtts.push(Number(t1 - t0) / 1e3);
      const d = performance.eventLoopUtilization(e1, e0);
      actives.push(d.active * 1e3); // us
      resolve();
    });
    t0 = process.hrtime.bigint();
    sock.send(payload);
    e0 = performance.eventLoopUtilization();
  });
}
const med = (a) => { const s = [...a].sort((x, y) => x - y); return `${s[Math.floor(s.length / 2)].toFixed(1)} (p90 ${s[Math.floor(s.length * 0.9)].toFixed(1)})`; };
console.log(`rtt us ${med(rtts)}; loop active between send and callback us ${med(actives)}`);
sock.close();
