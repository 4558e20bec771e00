/**
 * A throw-away CA and one server certificate for every bench peer, made with the openssl
 * CLI in a temp directory (nothing secret is committed). P-256 keys by default; RSA-2048
 * (--cert-key=rsa) as in the chains Microsoft documents for most Microsoft 365 services.
 * Each TLS library's checks cost differently with either (bench/results/cert-key-ab/).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface BenchCerts {
  /** PEM file of the CA: NODE_EXTRA_CA_CERTS for our exporter, tls_config.ca_file for blackbox. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Names the leaf is valid for; tests of the link use the far address, local targets bench.local. */
export const FAR_HOST = 'far.bench.test';
export const LOCAL_SERVER_NAME = 'bench.local';

export type CertKey = 'ec' | 'rsa';

/** The key's name as reports print it. */
export const CERT_KEY_NAME: Record<CertKey, string> = { ec: 'P-256', rsa: 'RSA-2048' };

const NEW_KEY: Record<CertKey, string[]> = {
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
  rsa: ['-newkey', 'rsa:2048', '-nodes'],
};

export function makeCerts(dir: string, farAddress: string, key: CertKey = 'ec'): BenchCerts {
  const run = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = NEW_KEY[key];
  run(['req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=o365-exporter bench CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  run(['req', '-new', ...newKey, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${FAR_HOST}`]);
  const san = `DNS:${FAR_HOST},DNS:${LOCAL_SERVER_NAME},IP:${farAddress},IP:127.0.0.1`;
  writeFileSync(join(dir, 'server.ext'), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`);
  run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '30',
    '-out', 'server.crt', '-extfile', 'server.ext']);
  return { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}
