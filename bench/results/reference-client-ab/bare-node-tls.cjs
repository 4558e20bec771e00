// Bare Node TLS for compare-bare-node.ts: per stdin line, TCP to the lab's far address (10.77.0.2:443), then tls.connect on it, stamps at 'connect' and 'secureConnect' (Node's defaults; CA from argv[2]).
const fs = require('fs');
const net = require('net');
const tls = require('tls');
const readline = require('readline');
const ca = fs.readFileSync(process.argv[2]);
const rl = readline.createInterface({ input: process.stdin });
console.log('ready');
rl.on('line', () => {
  const raw = net.connect({ host: '10.77.0.2', port: 443 });
  raw.on('connect', () => {
    const t0 = process.hrtime.bigint();
    const s = tls.connect({ socket: raw, servername: 'far.bench.test', ca, ALPNProtocols: ['http/1.1'] });
    s.on('secureConnect', () => { const t1 = process.hrtime.bigint(); s.destroy(); console.log(JSON.stringify({ success: s.authorized, tls: [Number(t0), Number(t1)] })); });
    s.on('error', (e) => console.log(JSON.stringify({ success: false, phase: 'tls', error: String(e) })));
  });
});
