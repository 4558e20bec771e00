// wake-node.mjs, but from LEAD ms before the answer is due (DELAY ms) the loop spins on setImmediate
// (epoll_wait with timeout 0 each turn) until the answer's listener runs. LEAD 0: no spin.
import dgram from 'node:dgram';
const port = Number(process.argv[2]); const n = Number(process.argv[3] ?? 200); const gap = Number(process.argv[4] ?? 20);
const lead = Number(process.argv[5]); const delay = Number(process.argv[6]);
const sock = dgram.createSocket('udp4');
await new Promise((r) => sock.connect(port, '127.0.0.1', r));
const wakes = []; let turns = 0;
const payload = Buffer.alloc(60, 1);
for (let i = 0; i < n; i++) {
  await new Promise((r) => (gap > 0 ? setTimeout(r, gap) : setImmediate(r)));
  await new Promise((resolve) => {
    let done = false;
    const spin = () => { if (!done) { turns++; setImmediate(spin); } };
    const pre = lead > 0 ? setTimeout(spin, Math.max(0, delay - lead)) : undefined;
    sock.once('message', (msg) => {
      const t1 = process.hrtime.bigint();
      done = true;
      wakes.push(Number(t1 - msg.readBigUInt64LE(0)) / 1e3);
      clearTimeout(pre);
      resolve();
    });
    sock.send(payload);
  });
}
const q = (a, p) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length * p)]; };
console.log(`node lead ${lead} wake us median ${q(wakes, .5).toFixed(1)} p10 ${q(wakes, .1).toFixed(1)} p90 ${q(wakes, .9).toFixed(1)} turns/exchange ${(turns / n).toFixed(0)}`);
sock.close();
