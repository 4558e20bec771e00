// Bare Node DNS client for compare-bare-node.ts: one A query for far.bench.test per stdin line, connected udp4 socket, stamps around send() and 'message'.
const dgram = require('dgram');
const readline = require('readline');
const ns = require('fs').readFileSync('/etc/resolv.conf', 'utf8').match(/nameserver\s+(\S+)/)[1];
const q = (id) => { const name = 'far.bench.test'.split('.'); const parts = [Buffer.from([id >> 8, id & 255, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])];
  for (const l of name) parts.push(Buffer.from([l.length]), Buffer.from(l)); parts.push(Buffer.from([0, 0, 1, 0, 1])); return Buffer.concat(parts); };
const rl = readline.createInterface({ input: process.stdin });
console.log('ready');
rl.on('line', () => {
  const s = dgram.createSocket('udp4');
  const id = Math.floor(Math.random() * 65535);
  const buf = q(id);
  s.connect(53, ns, () => {
    let t0;
    s.on('message', () => { const t1 = process.hrtime.bigint(); s.close(); console.log(JSON.stringify({ success: true, dns: [Number(t0), Number(t1)] })); });
    t0 = process.hrtime.bigint();
    s.send(buf);
  });
});
