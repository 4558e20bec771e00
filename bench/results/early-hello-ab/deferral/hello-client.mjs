// When does the ClientHello leave after 'connect'? Stamps 'connect' (first listener) for each
// of N sequential connections to hello-server.py, which stamps the first byte it receives;
// both are CLOCK_MONOTONIC. A synthetic busy chunk of BUSY_US runs in every check phase while
// a connection is in flight (other work in the event loop's turn).
//   early:      this exporter's startTls (ClientHello built while TCP connects, written by
//               libuv on the first writable event after 'connect')
//   node-start: tls.connect on the connecting socket, Node's own start() on 'connect'
// Usage (after npm run build): node hello-client.mjs PORT N early|node-start BUSY_US STAMP_FILE
import net from 'node:net';
import fs from 'node:fs';
import tls from 'node:tls';
import { startTls, secureContextFor } from '../../../../dist/src/probes/tls-start.js';

const [port, n, mode, busyUs, stampFile] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4], Number(process.argv[5]), process.argv[6]];
let inFlight = false;
const spin = (us) => { const end = process.hrtime.bigint() + BigInt(Math.round(us * 1000)); while (process.hrtime.bigint() < end); };
const load = () => { if (inFlight && busyUs > 0) spin(busyUs); if (inFlight) setImmediate(load); };
const connects = [];
for (let i = 0; i < n; i++) {
  await new Promise((r) => setTimeout(r, 20));
  await new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.prependOnceListener('connect', () => connects.push(process.hrtime.bigint()));
    socket.on('error', () => {});
    const t = mode === 'early'
      ? startTls(socket, 'x.test', undefined).socket
      : tls.connect({ socket, servername: 'x.test', rejectUnauthorized: false, secureContext: secureContextFor(undefined), ALPNProtocols: ['http/1.1'] });
    t.on('error', () => {}).on('close', resolve);
    inFlight = true;
    setImmediate(load);
  });
  inFlight = false;
}
await new Promise((r) => setTimeout(r, 300));
const hellos = fs.readFileSync(stampFile, 'utf8').trim().split('\n').map(BigInt);
const d = connects.map((c, i) => Number(hellos[i] - c) / 1e3).sort((a, b) => a - b);
const q = (p) => d[Math.floor(d.length * p)].toFixed(1);
console.log(`${mode} busy ${busyUs} us: connect -> ClientHello at the server, us: median ${q(0.5)} p10 ${q(0.1)} p90 ${q(0.9)} (n ${d.length})`);
