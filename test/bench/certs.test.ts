import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCerts, type CertKey } from '../../bench/lib/certs.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function make(key?: CertKey) {
  const dir = mkdtempSync(join(tmpdir(), 'o365-bench-certs-'));
  dirs.push(dir);
  const certs = makeCerts(dir, '10.77.0.2', key);
  return { certs, leaf: new X509Certificate(readFileSync(certs.certFile)), ca: new X509Certificate(readFileSync(certs.caFile)) };
}

describe('bench certificates', () => {
  it.each([
    { flag: 'ec (the default)', key: undefined, type: 'ec', bits: undefined },
    { flag: 'rsa', key: 'rsa' as const, type: 'rsa', bits: 2048 },
  ])('--cert-key=$flag: CA and leaf keys of type $type, the leaf signed by the CA for the far name and address', ({ key, type, bits }) => {
    const { certs, leaf, ca } = make(key);
    for (const cert of [leaf, ca]) {
      expect(cert.publicKey.asymmetricKeyType).toBe(type);
      if (bits) expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(bits);
      else expect(cert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    }
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkHost('far.bench.test')).toBe('far.bench.test');
    expect(leaf.checkIP('10.77.0.2')).toBe('10.77.0.2');
    // The key openssl wrote matches the leaf (what nginx and the local peer load).
    const out = execFileSync('openssl', ['pkey', '-in', certs.keyFile, '-pubout']).toString();
    expect(out.trim()).toBe(leaf.publicKey.export({ type: 'spki', format: 'pem' }).toString().trim());
  });
});
