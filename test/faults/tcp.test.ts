/**
 * Fault matrix, TCP, inside a network namespace the test creates (only its loopback up):
 * a refused port, a port whose SYNs nftables drops (blackholed), and a server resetting the
 * connection mid-handshake (when the ClientHello arrives). The exporter and its peers run
 * in the namespace; /metrics is reached through a Unix socket forwarder.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { faultMatrixTests } from '../helpers/fault-assert.js';
import { FaultGroup, type FaultCase } from '../helpers/fault-harness.js';
import type { PeerPlan } from '../helpers/netns-peers.js';
import { createNetns, type Netns } from '../helpers/netns.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { REPO_ROOT, tempDir } from '../helpers/process.js';

/** The namespace is empty: fixed ports cannot clash with anything. */
const PORTS = { healthy: 8443, reset: 8444, refused: 8445, blackholed: 8446, exporter: 9365 };
const tmp = tempDir('o365-faults-tcp-');
const caFile = join(tmp.dir, 'ca.pem');
const tls = `tls: {ca_file: "${caFile}"}`;

const CASES: FaultCase[] = [
  { name: 'tcp-refused', target: `tcp: "127.0.0.1:${PORTS.refused}"`, expect: { phase: 'connect', reason: 'connect_refused' } },
  { name: 'tcp-blackholed', target: `tcp: "127.0.0.1:${PORTS.blackholed}"`, expect: { phase: 'connect', reason: 'connect_timeout' } },
  { name: 'https-blackholed', target: `url: "https://127.0.0.1:${PORTS.blackholed}/", ${tls}`, expect: { phase: 'connect', reason: 'connect_timeout' } },
  { name: 'tcp-reset-mid-handshake', target: `url: "https://127.0.0.1:${PORTS.reset}/", ${tls}`, expect: { phase: 'tls', reason: 'tls_handshake_failed' } },
];

let pki: Pki | undefined;
let netns: Netns | undefined;
let group: FaultGroup | undefined;

async function startPeers(ns: Netns, plan: PeerPlan): Promise<void> {
  const child = ns.run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'test/helpers/netns-peers.ts'), JSON.stringify(plan)]);
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => chunk.includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`netns peers exited (${code}): ${err}`)));
  });
}

beforeAll(async () => {
  pki = makePki();
  writeFileSync(caFile, pki.ca.cert);
  writeFileSync(join(tmp.dir, 'valid.crt'), pki.valid.cert);
  writeFileSync(join(tmp.dir, 'valid.key'), pki.valid.key);
  netns = createNetns();
  netns.dropSyn(PORTS.blackholed);
  const socketPath = join(tmp.dir, 'metrics.sock');
  await startPeers(netns, { certFile: join(tmp.dir, 'valid.crt'), keyFile: join(tmp.dir, 'valid.key'), healthyPort: PORTS.healthy, resetPort: PORTS.reset, socketPath, forwardPort: PORTS.exporter });
  group = await FaultGroup.start({
    healthy: `url: "https://127.0.0.1:${PORTS.healthy}/", ${tls}`,
    cases: CASES,
    prefix: netns.prefix,
    args: [`--web.listen-address=127.0.0.1:${PORTS.exporter}`],
    via: { socketPath },
  });
  await group.runFaults();
  await group.removeFaults();
}, 120_000);

afterAll(async () => {
  await group?.stop();
  await netns?.remove();
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: TCP (in a network namespace)', () => {
  faultMatrixTests(() => group as FaultGroup, CASES);
});
