// Bare Node TCP connect for compare-bare-node.ts: one connect to the lab's far address (10.77.0.2:443) per stdin line, stamps around net.connect() and 'connect'.
const net = require('net');
const readline = require('readline');
const rl = readline.createInterface({ input: process.stdin });
console.log('ready');
rl.on('line', () => {
  const t0 = process.hrtime.bigint();
  const s = net.connect({ host: '10.77.0.2', port: 443 });
  s.on('connect', () => { const t1 = process.hrtime.bigint(); s.destroy(); console.log(JSON.stringify({ success: true, connect: [Number(t0), Number(t1)] })); });
  s.on('error', (e) => console.log(JSON.stringify({ success: false, phase: 'connect', error: String(e) })));
});
