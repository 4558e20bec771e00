import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpProbe } from '../../src/probes/http.js';
import { connectTcp } from '../../src/probes/tcp.js';
import { handshake } from '../../src/probes/tls.js';
import type { Pki } from '../helpers/pki.js';
import { makePki } from '../helpers/pki.js';
import type { TestServer } from '../helpers/servers.js';
import {
  context,
  httpTarget,
  openNetworkHandles,
  probeOptions,
  settleHandles,
  startHttpsServer,
  startResetServer,
  startSilentServer,
} from '../helpers/servers.js';

describe('tls', () => {
  let pki: Pki;
  let baseline: number;
  const servers: Record<string, TestServer> = {};

  beforeAll(async () => {
    baseline = openNetworkHandles();
    pki = makePki();
    servers.valid = await startHttpsServer(pki.valid);
    servers.expired = await startHttpsServer(pki.expired);
    servers.wrongHost = await startHttpsServer(pki.wrongHost);
    servers.selfSigned = await startHttpsServer(pki.selfSigned);
    // An inspection proxy sends its leaf and its CA: the chain must show both.
    servers.inspected = await startHttpsServer({ cert: pki.inspected.cert + pki.inspectionCa.cert, key: pki.inspected.key });
    servers.hang = await startSilentServer();
    servers.reset = await startResetServer('data');
  });

  afterAll(async () => {
    await Promise.all(Object.values(servers).map((s) => s.close()));
    pki.cleanup();
    expect(await settleHandles(baseline)).toBe(baseline);
  });

  const trusting = (ca: string) => probeOptions({ tls: { ca } });
  const probe = (server: string, options = trusting(pki.ca.cert)) =>
    httpProbe(httpTarget(servers[server]!.url()), options, context());

  it('handshake reports version, ALPN, cipher and the chain up to the trusted root', async () => {
    const signal = new AbortController().signal;
    const { socket } = await connectTcp('127.0.0.1', servers.valid!.port, signal);
    const tls = await handshake(socket, { servername: 'localhost', options: trusting(pki.ca.cert), signal });
    try {
      expect(tls.seconds).toBeGreaterThan(0);
      expect(tls.details).toMatchObject({ version: 'TLSv1.3', alpn: 'http/1.1', authorized: true });
      expect(tls.details.cipher).not.toBe('');
      expect(tls.details.chain.map((c) => c.subject)).toEqual(['localhost', 'o365-exporter Test CA']);
      expect(tls.details.chain[0]!.issuer).toBe('o365-exporter Test CA');
      expect(tls.details.chain[0]!.notAfter).toBeGreaterThan(Date.now() / 1000);
      expect(tls.details.chain[0]!.notBefore).toBeLessThanOrEqual(Date.now() / 1000);
      expect(tls.details.chain[0]!.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    } finally {
      tls.socket.destroy();
    }
  });

  it('succeeds with the test CA passed in options.tls.ca and records tls details', async () => {
    const result = await probe('valid');
    expect(result.failure).toBeUndefined();
    expect(result.phases.tls).toBeGreaterThan(0);
    expect(result.tls?.authorized).toBe(true);
  });

  it('expired certificate -> tls_cert_expired, with the chain and handshake time kept', async () => {
    const result = await probe('expired');
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_cert_expired' });
    expect(result.tls?.authorized).toBe(false);
    expect(result.tls?.authorizationError).toBe('CERT_HAS_EXPIRED');
    expect(result.tls?.chain[0]).toMatchObject({ subject: 'localhost', notAfter: Date.UTC(2020, 1, 1) / 1000 });
    expect(result.phases.tls).toBeGreaterThan(0);
    expect(result.phases).not.toHaveProperty('first_byte');
  });

  it('wrong hostname -> tls_hostname_mismatch', async () => {
    const result = await probe('wrongHost');
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_hostname_mismatch' });
    expect(result.tls?.chain[0]?.subject).toBe('wrong.example');
    expect(result.tls?.authorizationError).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(result.failure?.message).toContain("does not match certificate's altnames");
  });

  it('options.tls.serverName overrides the name checked (and sent as SNI)', async () => {
    const options = probeOptions({ tls: { ca: pki.ca.cert, serverName: 'wrong.example' } });
    const result = await probe('wrongHost', options);
    expect(result.failure).toBeUndefined();
  });

  it('self-signed certificate -> tls_untrusted_issuer', async () => {
    const result = await probe('selfSigned');
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_untrusted_issuer' });
    expect(result.tls?.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });

  it('self-signed certificate is accepted when passed as CA', async () => {
    const result = await probe('selfSigned', trusting(pki.selfSigned.cert));
    expect(result.failure).toBeUndefined();
  });

  it('foreign (inspection) CA -> tls_untrusted_issuer, chain shows the inspection CA', async () => {
    const result = await probe('inspected');
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_untrusted_issuer' });
    expect(result.tls?.chain.map((c) => c.subject)).toEqual(['localhost', 'Corporate Inspection CA']);
  });

  it('foreign CA is accepted when passed in options.tls.ca', async () => {
    const result = await probe('inspected', trusting(pki.inspectionCa.cert));
    expect(result.failure).toBeUndefined();
    expect(result.tls?.chain[1]?.subject).toBe('Corporate Inspection CA');
  });

  it('insecureSkipVerify succeeds but still records the verification error', async () => {
    const result = await probe('expired', probeOptions({ tls: { insecureSkipVerify: true } }));
    expect(result.failure).toBeUndefined();
    expect(result.tls).toMatchObject({ authorized: false, authorizationError: 'CERT_HAS_EXPIRED' });
  });

  it('server that never answers the ClientHello -> tls_timeout', async () => {
    const result = await probe('hang', probeOptions({ timeoutSeconds: 0.3 }));
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_timeout' });
    expect(result.phases.connect).toBeGreaterThan(0);
    expect(result.phases).not.toHaveProperty('tls');
    expect(result.durationSeconds).toBeGreaterThanOrEqual(0.29);
  });

  it('connection reset during the handshake -> tls_handshake_failed', async () => {
    const result = await probe('reset');
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'tls_handshake_failed' });
    expect(result.phases.connect).toBeGreaterThan(0);
  });

  it('abort during the handshake -> aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await httpProbe(httpTarget(servers.hang!.url()), probeOptions(), context(controller.signal));
    expect(result.failure).toMatchObject({ phase: 'tls', reason: 'aborted' });
  });
});
