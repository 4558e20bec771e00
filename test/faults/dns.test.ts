/**
 * Fault matrix, DNS: the exporter's resolver is a scripted server that misbehaves per name.
 * Truncation and huge answers are not failures: the probe retries over TCP and gets them.
 */
import { afterAll, beforeAll, describe } from 'vitest';
import { startDnsServer, type NameScript, type TestDnsServer } from '../helpers/dns-server.js';
import { faultMatrixTests } from '../helpers/fault-assert.js';
import { FaultGroup, type FaultCase } from '../helpers/fault-harness.js';
import { startHealthyHttps } from '../helpers/fault-peers.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { tempDir } from '../helpers/process.js';
import type { TestServer } from '../helpers/servers.js';

const ZONE: Record<string, NameScript> = {
  'silent.fault.test': { behaviour: 'silent' },
  'servfail.fault.test': { behaviour: 'servfail' },
  'nx.fault.test': { behaviour: 'nxdomain' },
  'refused.fault.test': { behaviour: 'refused' },
  'trunc.fault.test': { a: ['192.0.2.40'], behaviour: 'truncate' },
  'garbage.fault.test': { a: ['192.0.2.50'], behaviour: 'garbage' },
  'wrongid.fault.test': { a: ['192.0.2.60'], behaviour: 'wrong_id' },
  'loop1.fault.test': { cname: 'loop2.fault.test' },
  'loop2.fault.test': { cname: 'loop1.fault.test' },
  // 2000 A records: far over any UDP size, about 32 kB over TCP.
  'huge.fault.test': { a: Array.from({ length: 2000 }, (_, i) => `198.18.${i >> 8}.${i & 0xff}`) },
};

const CASES: FaultCase[] = [
  { name: 'dns-silence', target: 'dns: silent.fault.test', expect: { phase: 'dns', reason: 'dns_timeout' } },
  { name: 'dns-servfail', target: 'dns: servfail.fault.test', expect: { phase: 'dns', reason: 'dns_servfail' } },
  { name: 'dns-nxdomain', target: 'dns: nx.fault.test', expect: { phase: 'dns', reason: 'dns_nxdomain' } },
  { name: 'dns-refused', target: 'dns: refused.fault.test', expect: { phase: 'dns', reason: 'dns_refused' } },
  { name: 'dns-truncated', target: 'dns: trunc.fault.test', expect: { success: true } },
  { name: 'dns-garbage', target: 'dns: garbage.fault.test', expect: { phase: 'dns', reason: 'dns_malformed' } },
  { name: 'dns-wrong-id', target: 'dns: wrongid.fault.test', expect: { phase: 'dns', reason: 'dns_timeout' } },
  { name: 'dns-cname-loop', target: 'dns: loop1.fault.test', expect: { phase: 'dns', reason: 'dns_cname_loop' } },
  { name: 'dns-huge-answer', target: 'dns: huge.fault.test', expect: { success: true } },
];

let pki: Pki | undefined;
let dns: TestDnsServer | undefined;
let healthy: TestServer | undefined;
let group: FaultGroup | undefined;
const tmp = tempDir('o365-faults-dns-');

beforeAll(async () => {
  pki = makePki();
  dns = await startDnsServer(ZONE);
  const peer = await startHealthyHttps(pki, tmp.dir);
  healthy = peer.server;
  group = await FaultGroup.start({ head: `resolvers: ["127.0.0.1:${dns.resolver.port}"]\n`, healthy: peer.yaml, cases: CASES });
  await group.runFaults();
  await group.removeFaults();
}, 120_000);

afterAll(async () => {
  await group?.stop();
  await Promise.all([dns?.close(), healthy?.close()]);
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: DNS', () => {
  faultMatrixTests(() => group as FaultGroup, CASES);
});
