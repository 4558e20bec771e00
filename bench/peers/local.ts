/**
 * HTTPS for the many local targets (scheduled mode, background load, /probe throughput):
 * one server on 0.0.0.0 inside the bench namespace answers every 127.x.y.z address.
 * Usage: local.ts PORT CERT KEY
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { answer } from './respond.js';

const [port = '8443', certFile = '', keyFile = ''] = process.argv.slice(2);
const server = https.createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, answer);
server.on('tlsClientError', () => undefined);
server.on('connection', (socket) => socket.on('error', () => undefined));
await new Promise<void>((resolve) => server.listen(Number(port), '0.0.0.0', 1024, resolve));
console.log(`local ready https=0.0.0.0:${port}`);
process.on('SIGTERM', () => process.exit(0));
