/**
 * The native far peers (nginx + dnsmasq) across the bench's link: they give the answers the
 * Node far peer gives (A for the bench name, NXDOMAIN otherwise, TLS 1.3 on 443 and 1.2 on
 * 8444, a 1,000-byte body), and the wire-truth parser finds every phase in their packets.
 * Needs root, cc, nginx and dnsmasq (scripts/install-test-deps.sh).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAR_HOST, makeCerts, type BenchCerts } from '../../bench/lib/certs.js';
import { createLab, type Lab } from '../../bench/lib/lab.js';
import { stopAll } from '../../bench/lib/procs.js';
import { wireTruth } from '../../bench/lib/wire-truth.js';
import { startNativeFar } from '../../bench/peers/far-native.js';

/** argv: dns server, CA file, port. Prints one JSON line: the A answer, the other name's error, TLS version, status, body length. */
const CLIENT = `const tls = require('tls'); const fs = require('fs'); const { Resolver } = require('dns').promises;
const [server, caFile, port] = process.argv.slice(1);
(async () => {
  const r = new Resolver(); r.setServers([server]);
  const a = await r.resolve4('${FAR_HOST}', { ttl: true });
  const other = await r.resolve4('other.bench.test').then(() => 'found', (e) => e.code);
  const s = tls.connect({ host: a[0].address, port: Number(port), servername: '${FAR_HOST}', ca: fs.readFileSync(caFile) });
  await new Promise((res) => s.once('secureConnect', res));
  s.write('GET / HTTP/1.1\\r\\nHost: ${FAR_HOST}\\r\\nConnection: close\\r\\n\\r\\n');
  let text = ''; s.setEncoding('latin1'); s.on('data', (c) => (text += c));
  await new Promise((res) => s.once('end', res));
  const [head, body] = text.split('\\r\\n\\r\\n');
  console.log('RESULT ' + JSON.stringify({ a, other, version: s.getProtocol(), status: head.split(' ')[1], body: body.length }));
  s.destroy();
})().catch((e) => { console.log('RESULT ' + JSON.stringify({ error: String(e) })); });`;

let lab: Lab | undefined;
let certs: BenchCerts;
const dir = mkdtempSync(join(tmpdir(), 'far-native-test-'));

beforeAll(async () => {
  lab = await createLab({ maxSeconds: 120, nice: 0, realtimeLink: false });
  certs = makeCerts(dir, lab.farAddress);
  await startNativeFar(lab, certs, dir, [FAR_HOST]);
});

afterAll(async () => {
  await stopAll();
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function fetchFar(port: number): Promise<Record<string, unknown>> {
  if (!lab) throw new Error('no lab');
  const client = lab.exec(lab.near, 'client', process.execPath, ['-e', CLIENT, lab.farAddress, certs.caFile, String(port)]);
  const [, json] = await client.waitFor(/RESULT (.*)/);
  await client.exited;
  return JSON.parse(json as string) as Record<string, unknown>;
}

describe('native far peers', () => {
  it.each([
    [443, 'TLSv1.3', 1],
    [8444, 'TLSv1.2', 2],
  ])('port %i: DNS answers, %s, a 1,000-byte answer in one segment the wire-truth parser finds', async (port, version, tlsRoundTrips) => {
    if (!lab) throw new Error('no lab');
    await lab.link.set(1);
    await lab.link.dump();
    const result = await fetchFar(port);
    expect(result).toEqual({ a: [{ address: lab.farAddress, ttl: 0 }], other: 'ENOTFOUND', version, status: '200', body: 1000 });
    const truth = wireTruth(await lab.link.dump(), { port, tlsRoundTrips, minResponseBytes: 1000 });
    // Each phase is at least one round trip of the 1 ms one-way delay.
    for (const phase of ['dns', 'connect', 'tls', 'first_byte'] as const) expect(truth[phase]).toBeGreaterThanOrEqual(0.002 * (phase === 'tls' ? tlsRoundTrips : 1));
  });
});
