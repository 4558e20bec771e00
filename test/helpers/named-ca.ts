/**
 * A CA with a chosen name (e.g. one named like a Microsoft issuing CA) and a localhost leaf
 * from it, made with the openssl CLI at test time: what a server certificate looks like when
 * its issuer's name is the one the interception check trusts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyPair } from './pki.js';

export interface NamedCa {
  ca: KeyPair;
  /** Leaf for localhost and 127.0.0.1, issued by `ca`. */
  leaf: KeyPair;
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeNamedCa(commonName: string): NamedCa {
  const dir = mkdtempSync(join(tmpdir(), 'o365-named-ca-'));
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const read = (name: string): KeyPair => ({ cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') });
  try {
    openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '3650', '-subj', `/O=o365-exporter tests/CN=${commonName}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    writeFileSync(join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
    openssl(['req', '-new', ...EC_KEY, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost']);
    openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30', '-out', 'leaf.crt', '-extfile', 'leaf.ext']);
    return { ca: read('ca'), leaf: read('leaf') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
