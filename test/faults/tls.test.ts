/**
 * Fault matrix, TLS: servers that hang the handshake, show an expired, misnamed or
 * self-signed certificate, demand a client certificate, or speak only TLS 1.0.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultMatrixTests } from '../helpers/fault-assert.js';
import { FaultGroup, type FaultCase } from '../helpers/fault-harness.js';
import { startClientCertServer, startHealthyHttps, startTls10Server } from '../helpers/fault-peers.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { tempDir } from '../helpers/process.js';
import { startHttpsServer, startSilentServer, type TestServer } from '../helpers/servers.js';

const peers = new Map<string, TestServer>();
let caFile = '';
const at = (peer: string) => () => `url: "${peers.get(peer)?.url().href}", tls: {ca_file: "${caFile}"}`;

const CASES: FaultCase[] = [
  { name: 'tls-hang', target: at('hang'), expect: { phase: 'tls', reason: 'tls_timeout' } },
  { name: 'tls-expired', target: at('expired'), expect: { phase: 'tls', reason: 'tls_cert_expired' } },
  { name: 'tls-wrong-name', target: at('wrongName'), expect: { phase: 'tls', reason: 'tls_hostname_mismatch' } },
  { name: 'tls-self-signed', target: at('selfSigned'), expect: { phase: 'tls', reason: 'tls_untrusted_issuer' } },
  { name: 'tls-client-cert-demanded', target: at('clientCert'), expect: { phase: 'tls', reason: 'tls_handshake_failed' } },
  { name: 'tls-1-0-only', target: at('tls10'), expect: { phase: 'tls', reason: 'tls_handshake_failed' } },
];

let pki: Pki | undefined;
let group: FaultGroup | undefined;
const tmp = tempDir('o365-faults-tls-');

beforeAll(async () => {
  pki = makePki();
  const healthy = await startHealthyHttps(pki, tmp.dir);
  peers.set('healthy', healthy.server);
  caFile = healthy.caFile;
  peers.set('hang', await startSilentServer('https'));
  peers.set('expired', await startHttpsServer(pki.expired));
  peers.set('wrongName', await startHttpsServer(pki.wrongHost));
  peers.set('selfSigned', await startHttpsServer(pki.selfSigned));
  peers.set('clientCert', await startClientCertServer(pki.valid, pki.ca.cert));
  peers.set('tls10', await startTls10Server(pki.valid));
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

describe('fault matrix: TLS', () => {
  faultMatrixTests(() => group as FaultGroup, CASES);

  it('the TLS 1.0 peer really completes a TLS 1.0 handshake with a client that allows it', async () => {
    const port = peers.get('tls10')?.port;
    const version = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0', rejectUnauthorized: false }, () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.on('error', reject);
    });
    expect(version).toBe('TLSv1');
  });
});
