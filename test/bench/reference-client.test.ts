/**
 * The bench's C reference client for real: compiled with cc against OpenSSL, probing a
 * DNS server and an HTTPS server on loopback that delay their answers by known amounts, so
 * each phase must land its time in the right place, and failing with the phase and reason.
 */
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start, stopAll } from '../../bench/lib/procs.js';
import { buildReferenceClient, parseAnswer, referenceClientOn, type ReferenceClient } from '../../bench/lib/reference-client.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { startHttpsServer, type TestServer } from '../helpers/servers.js';

const DNS_DELAY_MS = 40;
const HTTP_DELAY_MS = 60;

/** Answers localhost (a CNAME, then A 127.0.0.1) after DNS_DELAY_MS, NXDOMAIN for other names. */
async function delayedDns(): Promise<{ port: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg, from) => {
    const query = dnsPacket.decode(msg);
    const question = query.questions?.[0];
    const found = question?.name === 'localhost';
    const reply = dnsPacket.encode({
      id: query.id,
      type: 'response',
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (found ? 0 : 3),
      questions: query.questions ?? [],
      // A CNAME first: the client must follow compressed names to reach the A record.
      answers: found && question ? [{ type: 'CNAME', name: question.name, data: `alias.${question.name}` }, { type: 'A', name: `alias.${question.name}`, data: '127.0.0.1' }] : [],
    });
    setTimeout(() => socket.send(reply, from.port, from.address), DNS_DELAY_MS);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

const buildDir = mkdtempSync(join(tmpdir(), 'reference-client-test-'));
let pki: Pki;
let dns: Awaited<ReturnType<typeof delayedDns>>;
let https: TestServer;
let wrongName: TestServer;
let client: ReferenceClient;

beforeAll(async () => {
  pki = makePki();
  dns = await delayedDns();
  https = await startHttpsServer(pki.valid, { body: 'hello', delayMs: HTTP_DELAY_MS });
  wrongName = await startHttpsServer(pki.wrongHost, { body: 'hello' });
  const built = buildReferenceClient(buildDir);
  if (!built.binary) throw new Error(built.reason);
  const caFile = join(buildDir, 'ca.pem');
  writeFileSync(caFile, pki.ca.cert);
  client = await referenceClientOn(start('reference-client', built.binary, [caFile, `127.0.0.1:${dns.port}`]));
});

afterAll(async () => {
  await client?.stop();
  await stopAll();
  await Promise.all([dns?.close(), https?.close(), wrongName?.close()]);
  pki?.cleanup();
  rmSync(buildDir, { recursive: true, force: true });
});

describe('reference client', () => {
  it('times each phase where it happens: the DNS and HTTP delays land in dns and first_byte only', async () => {
    const r = await client.probe('localhost', https.port, '/');
    expect(r.error).toBeUndefined();
    expect(r.success).toBe(true);
    expect(r.tlsVersion).toBe('TLSv1.3');
    expect(r.dns).toBeGreaterThanOrEqual(DNS_DELAY_MS / 1000);
    expect(r.first_byte).toBeGreaterThanOrEqual(HTTP_DELAY_MS / 1000);
    expect(r.connect).toBeLessThan(DNS_DELAY_MS / 1000);
    expect(r.tls).toBeLessThan(HTTP_DELAY_MS / 1000);
    // Spans follow each other on one clock: dns, then connect, then tls, then first byte.
    const { dns: d, connect: c, tls: t, first_byte: f } = r.spans;
    expect(d && c && t && f).toBeTruthy();
    expect(d?.[1]).toBeLessThanOrEqual(c?.[0] ?? 0);
    expect(c?.[1]).toBeLessThanOrEqual(t?.[0] ?? 0);
    expect(t?.[1]).toBeLessThanOrEqual(f?.[0] ?? 0);
  });

  it('skips DNS for an IP literal', async () => {
    const r = await client.probe('127.0.0.1', https.port, '/');
    expect(r.success).toBe(true);
    expect(r.dns).toBeUndefined();
    expect(r.spans.dns).toBeUndefined();
    expect(r.connect).toBeGreaterThan(0);
  });

  it('fails in dns on NXDOMAIN, in connect on a closed port, in tls on a name or CA mismatch', async () => {
    expect(await client.probe('missing.example', https.port, '/')).toMatchObject({ success: false, phase: 'dns', error: 'no A record' });
    const closed = await client.probe('127.0.0.1', 1, '/');
    expect(closed).toMatchObject({ success: false, phase: 'connect' });
    expect(closed.error).toMatch(/refused/i);
    const name = await client.probe('localhost', wrongName.port, '/');
    expect(name).toMatchObject({ success: false, phase: 'tls' });
    expect(name.error).toMatch(/hostname mismatch/);
    // The next probe works: one failure does not stop the client.
    expect((await client.probe('127.0.0.1', https.port, '/')).success).toBe(true);
  });

  it('answers a line it cannot read with a failure, not silence', async () => {
    expect(await client.probe('only-a-host', Number.NaN, '/')).toMatchObject({ success: false, phase: 'input' });
  });
});

describe('parseAnswer', () => {
  it('turns the stamps into seconds and keeps the failure reason', () => {
    const ok = parseAnswer('{"success":true,"connect":[1000,2501000],"tls":[3000000,4000000],"first_byte":[5000000,5500000],"tlsVersion":"TLSv1.3"}');
    expect(ok).toMatchObject({ success: true, connect: 0.0025, tls: 0.001, first_byte: 0.0005, tlsVersion: 'TLSv1.3' });
    expect(ok.dns).toBeUndefined();
    expect(ok.spans.connect).toEqual([1000, 2501000]);
    expect(parseAnswer('{"success":false,"phase":"tls","error":"certificate verify failed"}')).toEqual({ success: false, spans: {}, phase: 'tls', error: 'certificate verify failed' });
  });
});
