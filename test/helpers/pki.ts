/**
 * A throw-away PKI made with the openssl CLI at test time: nothing secret or expiring
 * is committed, and the expired certificate really is expired.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface Pki {
  /** The test CA: pass `ca.cert` as options.tls.ca to trust it. */
  ca: KeyPair;
  /** Leaf for localhost and 127.0.0.1 from `ca`. */
  valid: KeyPair;
  /** Same names, validity ended in 2020. */
  expired: KeyPair;
  /** From `ca`, but only for wrong.example. */
  wrongHost: KeyPair;
  /** Self-signed leaf for localhost/127.0.0.1. */
  selfSigned: KeyPair;
  /** A second, foreign CA, as a TLS-inspection proxy would use. */
  inspectionCa: KeyPair;
  /** Leaf for localhost/127.0.0.1 from `inspectionCa`. */
  inspected: KeyPair;
  cleanup(): void;
}

const LOCAL_SAN = 'DNS:localhost,IP:127.0.0.1';

function openssl(cwd: string, args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function read(dir: string, name: string): KeyPair {
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

function makeCa(dir: string, name: string, cn: string): KeyPair {
  openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '3650',
    '-subj', `/O=o365-exporter tests/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return read(dir, name);
}

function leafExtensions(dir: string, name: string, san: string): string {
  const file = join(dir, `${name}.ext`);
  writeFileSync(file, `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  return file;
}

function makeLeaf(dir: string, name: string, caName: string, cn: string, san: string): KeyPair {
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.crt`, '-CAkey', `${caName}.key`,
    '-CAcreateserial', '-days', '30', '-out', `${name}.crt`, '-extfile', leafExtensions(dir, name, san)]);
  return read(dir, name);
}

/** `openssl x509` in 3.0 cannot backdate; `openssl ca` can, with a minimal database. */
function makeExpiredLeaf(dir: string, name: string, caName: string): KeyPair {
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), [
    '[ca]', 'default_ca = test', '[test]', `database = ${join(dir, 'index.txt')}`, `new_certs_dir = ${dir}`,
    `serial = ${join(dir, 'serial')}`, 'default_md = sha256', 'policy = any', 'unique_subject = no',
    '[any]', 'commonName = supplied', '',
  ].join('\n'));
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost']);
  openssl(dir, ['ca', '-batch', '-notext', '-config', 'ca.cnf', '-cert', `${caName}.crt`, '-keyfile', `${caName}.key`,
    '-in', `${name}.csr`, '-out', `${name}.crt`, '-startdate', '20200101000000Z', '-enddate', '20200201000000Z',
    '-extfile', leafExtensions(dir, name, LOCAL_SAN)]);
  return read(dir, name);
}

function makeSelfSigned(dir: string, name: string): KeyPair {
  openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '30',
    '-subj', '/CN=localhost', '-addext', `subjectAltName=${LOCAL_SAN}`, '-addext', 'basicConstraints=CA:FALSE']);
  return read(dir, name);
}

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'o365-pki-'));
  try {
    const ca = makeCa(dir, 'ca', 'o365-exporter Test CA');
    const inspectionCa = makeCa(dir, 'inspection-ca', 'Corporate Inspection CA');
    return {
      ca,
      valid: makeLeaf(dir, 'valid', 'ca', 'localhost', LOCAL_SAN),
      expired: makeExpiredLeaf(dir, 'expired', 'ca'),
      wrongHost: makeLeaf(dir, 'wrong-host', 'ca', 'wrong.example', 'DNS:wrong.example'),
      selfSigned: makeSelfSigned(dir, 'self-signed'),
      inspectionCa,
      inspected: makeLeaf(dir, 'inspected', 'inspection-ca', 'localhost', LOCAL_SAN),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
