/**
 * Fault matrix, HTTP (over TLS): a server that never answers, one that answers a byte a
 * second, 10 MB of headers, a body that never ends, a redirect to itself (a 3xx is the
 * front door answering: success, not followed) and a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueOf } from '../helpers/exposition.js';
import { faultMatrixTests } from '../helpers/fault-assert.js';
import { FaultGroup, type FaultCase } from '../helpers/fault-harness.js';
import { startEndlessBodyServer, startHeaderFloodServer, startHealthyHttps, startRedirectLoopServer, startTrickleServer } from '../helpers/fault-peers.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { tempDir } from '../helpers/process.js';
import { startHttpsServer, type TestServer } from '../helpers/servers.js';

const peers = new Map<string, TestServer>();
let caFile = '';
const at = (peer: string) => () => `url: "${peers.get(peer)?.url('/page').href}", tls: {ca_file: "${caFile}"}`;

const CASES: FaultCase[] = [
  { name: 'http-never-answers', target: at('silent'), expect: { phase: 'first_byte', reason: 'http_timeout' } },
  // 3 s: the first byte (after 1 s) must be in well before the deadline, even on a busy machine.
  { name: 'http-one-byte-per-second', target: () => `${at('trickle')()}, timeout: 3s`, expect: { phase: 'first_byte', reason: 'http_timeout' } },
  { name: 'http-10mb-headers', target: at('headerFlood'), expect: { phase: 'first_byte', reason: 'http_headers_too_large' } },
  { name: 'http-endless-body', target: at('endless'), expect: { phase: 'transfer', reason: 'http_body_too_large' } },
  { name: 'http-redirect-loop', target: at('redirect'), expect: { success: true, statusCode: 302 } },
  { name: 'http-status-500', target: at('status500'), expect: { phase: 'first_byte', reason: 'http_invalid_status' } },
];

let pki: Pki | undefined;
let group: FaultGroup | undefined;
const tmp = tempDir('o365-faults-http-');

beforeAll(async () => {
  pki = makePki();
  const healthy = await startHealthyHttps(pki, tmp.dir);
  peers.set('healthy', healthy.server);
  caFile = healthy.caFile;
  peers.set('silent', await startHttpsServer(pki.valid, () => {}));
  peers.set('trickle', await startTrickleServer(pki.valid));
  peers.set('headerFlood', await startHeaderFloodServer(pki.valid));
  peers.set('endless', await startEndlessBodyServer(pki.valid));
  peers.set('redirect', await startRedirectLoopServer(pki.valid));
  peers.set('status500', await startHttpsServer(pki.valid, { status: 500 }));
  group = await FaultGroup.start({ healthy: healthy.yaml, cases: CASES });
  await group.runFaults();
  await group.removeFaults();
}, 120_000);

afterAll(async () => {
  await group?.stop();
  await Promise.all([...peers.values()].map((p) => p.close()));
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: HTTP', () => {
  faultMatrixTests(() => group as FaultGroup, CASES);

  const last = () => group?.window?.last.series ?? [];

  it('one byte per second: the first byte is measured (about 1 s after the request), then the head times out', () => {
    // Any probe of the window: on a stalled machine one probe's connect can eat the time the
    // first byte needed, and then that probe (rightly) has no first_byte.
    const firstBytes = (group?.window?.scrapes ?? [])
      .map((s) => valueOf(s.series, 'o365_probe_phase_seconds', { target: 'http-one-byte-per-second', phase: 'first_byte' }))
      .filter((v): v is number => v !== undefined);
    expect(firstBytes.length).toBeGreaterThan(0);
    expect(Math.max(...firstBytes)).toBeGreaterThanOrEqual(0.9);
  });

  it('endless body: the 200 is recorded and the transfer stops at the cap', () => {
    expect(valueOf(last(), 'o365_http_status_code', { target: 'http-endless-body' })).toBe(200);
    expect(valueOf(last(), 'o365_probe_phase_seconds', { target: 'http-endless-body', phase: 'first_byte' })).toBeGreaterThan(0);
  });

  it('the redirect is not followed: one request per probe', () => {
    const probes = valueOf(last(), 'o365_probes_total', { target: 'http-redirect-loop' }) ?? 0;
    expect(peers.get('redirect')?.connections()).toBeLessThanOrEqual(probes + 1);
  });

  it('status 500 is recorded as such', () => {
    expect(valueOf(last(), 'o365_http_status_code', { target: 'http-status-500' })).toBe(500);
  });
});
