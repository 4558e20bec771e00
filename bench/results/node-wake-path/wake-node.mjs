// Server-stamped wake path: the server (udp-delay-server.py) answers with its CLOCK_MONOTONIC
// stamp taken just before sendto; this client stamps first thing in the listener (hrtime is
// CLOCK_MONOTONIC too). Usage: node wake-node.mjs PORT EXCHANGES PAUSE_MS
import dgram from 'node:dgram';
const port = Number(process.argv[2]); const n = Number(process.argv[3] ?? 200); const gap = Number(process.argv[4] ?? 20);
const sock = dgram.createSocket('udp4');
await new Promise((r) => sock.connect(port, '127.0.0.1', r));
const wakes = [], faults = [];
const payload = Buffer.alloc(60, 1);
for (let i = 0; i < n; i++) {
  await new Promise((r) => (gap > 0 ? setTimeout(r, gap) : setImmediate(r)));
  const f0 = process.resourceUsage().minorPageFault;
  await new Promise((resolve) => {
    sock.once('message', (msg) => {
      const t1 = process.hrtime.bigint();
      wakes.push(Number(t1 - msg.readBigUInt64LE(0)) / 1e3);
      resolve();
    });
    sock.send(payload);
  });
  faults.push(process.resourceUsage().minorPageFault - f0);
}
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * p)]; };
console.log(`wake us median ${q(wakes, .5).toFixed(1)} p10 ${q(wakes, .1).toFixed(1)} p90 ${q(wakes, .9).toFixed(1)}; minflt/exchange median ${q(faults, .5)} p90 ${q(faults, .9)} total ${faults.reduce((a, b) => a + b, 0)}`);
sock.close();
