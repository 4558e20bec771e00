/**
 * How a 20-line Node client (bare-node-dns.cjs, bare-node-connect.cjs) reads one phase beside
 * the C reference client, against the wire, in the bench's lab: what Node itself costs,
 * without any of the exporter's code. Root, like the bench:
 *
 *   node --import tsx bench/results/reference-client-ab/compare-bare-node.ts RTT_MS NODE dns|connect|tls
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAR_HOST } from '../../lib/certs.js';
import { createLab } from '../../lib/lab.js';
import { stopAll } from '../../lib/procs.js';
import { buildReferenceClient, referenceClientOn, type ReferenceClient } from '../../lib/reference-client.js';
import { quantile } from '../../lib/stats.js';
import { wireSpans } from '../../lib/wire-truth.js';
import { startPeers } from '../../scenarios/env.js';

const [rttText = '10', node = process.execPath, phaseText = 'dns'] = process.argv.slice(2);
const rtt = Number(rttText);
const phase = phaseText === 'connect' || phaseText === 'tls' ? phaseText : 'dns';
const script = join(dirname(fileURLToPath(import.meta.url)), `bare-node-${phase}.cjs`);
const SHAPE = { port: 443, tlsRoundTrips: 1, minResponseBytes: 1000 };

interface Sides {
  error: number[];
  send: number[];
  receive: number[];
}

const lab = await createLab({ maxSeconds: 300, nice: -10, realtimeLink: true });
const dir = mkdtempSync(join(tmpdir(), 'compare-bare-node-'));
try {
  const env = await startPeers(lab, dir, () => {});
  const built = buildReferenceClient(dir);
  if (!built.binary) throw new Error(built.reason);
  const clients: [string, ReferenceClient][] = [
    ['C client', await referenceClientOn(lab.exec(lab.near, 'reference-client', built.binary, [env.certs.caFile]))],
    ['bare Node', await referenceClientOn(lab.exec(lab.near, 'bare node', node, [script, env.certs.caFile]))],
  ];
  await lab.link.set(rtt / 2, 0, 0);
  const out = new Map<string, Sides>(clients.map(([name]) => [name, { error: [], send: [], receive: [] }]));
  for (let round = 0; round < 60; round++) {
    for (const [name, client] of clients) {
      await lab.link.dump();
      const own = (await client.probe(FAR_HOST, 443, '/')).spans[phase];
      const wire = wireSpans(await lab.link.dump(), SHAPE)[phase];
      const sides = out.get(name);
      if (round < 5 || !own || !wire || !sides) continue;
      sides.send.push((wire.from - own[0]) / 1000);
      sides.receive.push((own[1] - wire.to) / 1000);
      sides.error.push((own[1] - own[0] - (wire.to - wire.from)) / 1000);
    }
  }
  const us = (list: number[]) => `${quantile(list, 0.5).toFixed(0)} (p90 ${quantile(list, 0.9).toFixed(0)})`;
  for (const [name, s] of out) console.log(`${rtt} ms, ${name}: ${phase} vs wire ${us(s.error)} us = send ${us(s.send)} + receive ${us(s.receive)}`);
  for (const [, client] of clients) await client.stop();
} finally {
  await stopAll();
  await lab.close();
  rmSync(dir, { recursive: true, force: true });
}
