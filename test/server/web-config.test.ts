/**
 * --web.config.file loading: the exporter-toolkit format, strict keys with file:line errors,
 * files read at load (relative to the web config), and no value from the file in any error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWebConfig, WebConfigError } from '../../src/server/web-config.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { REPO_ROOT, tempDir } from '../helpers/process.js';

const tmp = tempDir('o365-web-config-');
let pki: Pki | undefined;
const HASH = bcrypt.hashSync('correct horse', 4);

beforeAll(() => {
  pki = makePki();
  mkdirSync(join(tmp.dir, 'certs'));
  writeFileSync(join(tmp.dir, 'certs', 'server.crt'), pki.valid.cert);
  writeFileSync(join(tmp.dir, 'certs', 'server.key'), pki.valid.key);
  writeFileSync(join(tmp.dir, 'certs', 'other.key'), pki.expired.key);
  writeFileSync(join(tmp.dir, 'certs', 'ca.crt'), pki.ca.cert);
  writeFileSync(join(tmp.dir, 'not-pem.txt'), 'hello\n');
});

afterAll(() => {
  pki?.cleanup();
  tmp.cleanup();
});

let count = 0;
function file(lines: string[]): string {
  const path = join(tmp.dir, `web-${++count}.yml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

async function problems(lines: string[]): Promise<{ path: string; problems: string[] }> {
  const path = file(lines);
  try {
    await loadWebConfig(path);
  } catch (err) {
    if (err instanceof WebConfigError) return { path, problems: err.problems };
    throw err;
  }
  throw new Error('loaded without error');
}

describe('valid web configs', () => {
  it('an empty file: no TLS, no users, no headers', async () => {
    const web = await loadWebConfig(file(['']));
    expect(web.tls).toBeUndefined();
    expect(web.users.size).toBe(0);
    expect(web.unauthenticatedPaths.size).toBe(0);
  });

  it('the exporter-toolkit example, relative files resolved against the web config directory', async () => {
    const web = await loadWebConfig(file([
      'tls_server_config:',
      '  cert_file: certs/server.crt',
      '  key_file: certs/server.key',
      '  client_auth_type: RequireAndVerifyClientCert',
      '  client_ca_file: certs/ca.crt',
      '  min_version: TLS13',
      'http_server_config:',
      '  http2: true',
      '  headers:',
      '    X-Frame-Options: deny',
      '    Strict-Transport-Security: max-age=31536000',
      'basic_auth_users:',
      `  prometheus: ${HASH}`,
      'unauthenticated_paths: [/-/healthy, /-/ready]',
    ]));
    expect(web.tls).toMatchObject({ cert: pki?.valid.cert, key: pki?.valid.key, ca: pki?.ca.cert, clientAuth: 'RequireAndVerifyClientCert', minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    expect(web.headers).toEqual({ 'X-Frame-Options': 'deny', 'Strict-Transport-Security': 'max-age=31536000' });
    expect([...web.users.keys()]).toEqual(['prometheus']);
    expect([...web.unauthenticatedPaths]).toEqual(['/-/healthy', '/-/ready']);
  });

  it('the example in docs/security.md loads', async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'security.md'), 'utf8');
    const example = /```yaml\n([^]*?)```/.exec(doc)?.[1] ?? '';
    expect(example).toContain('tls_server_config:');
    writeFileSync(join(tmp.dir, 'clients-ca.crt'), pki?.ca.cert ?? '');
    const web = await loadWebConfig(file([example.replace('cert_file: server.crt', 'cert_file: certs/server.crt').replace('key_file: server.key', 'key_file: certs/server.key')]));
    expect(web.tls?.clientAuth).toBe('RequireAndVerifyClientCert');
    expect([...web.unauthenticatedPaths]).toEqual(['/-/healthy', '/-/ready']);
  });

  it('defaults: NoClientCert, TLS12 to TLS13', async () => {
    const web = await loadWebConfig(file(['tls_server_config: {cert_file: certs/server.crt, key_file: certs/server.key}']));
    expect(web.tls).toMatchObject({ clientAuth: 'NoClientCert', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
  });
});

describe('invalid web configs: file:line errors', () => {
  it('unknown keys, with the line', async () => {
    const { path, problems: p } = await problems(['basic_auth_users: {}', 'tls_server_config:', '  cert_file: certs/server.crt', '  key_file: certs/server.key', '  cert_flie: x']);
    expect(p).toEqual([`${path}:5: tls_server_config: unknown key "cert_flie"`]);
    const top = await problems(['unauthenticated: [/-/healthy]']);
    expect(top.problems).toEqual([`${top.path}:1: (top level): unknown key "unauthenticated"`]);
  });

  it('exporter-toolkit keys this exporter does not implement are named as such', async () => {
    const { path, problems: p } = await problems(['tls_server_config:', '  cert_file: certs/server.crt', '  key_file: certs/server.key', '  cipher_suites: [TLS_AES_128_GCM_SHA256]']);
    expect(p).toEqual([`${path}:4: tls_server_config: exporter-toolkit key "cipher_suites" not supported by o365-exporter`]);
  });

  it('a bad client_auth_type, version, header or path', async () => {
    const { path, problems: p } = await problems([
      'tls_server_config:',
      '  cert_file: certs/server.crt',
      '  key_file: certs/server.key',
      '  client_auth_type: RequireClientCertPlease',
      '  min_version: TLS10',
      'http_server_config:',
      '  headers: {X-Frame-Options: allow, Server: nginx}',
      'unauthenticated_paths: [/healthz]',
    ]);
    expect(p).toEqual(expect.arrayContaining([
      `${path}:4: tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert`,
      `${path}:5: tls_server_config.min_version: must be TLS12 or TLS13 (TLS10 and TLS11 are not offered)`,
      `${path}:7: http_server_config.headers.X-Frame-Options: must be deny or sameorigin`,
      `${path}:7: http_server_config.headers: unknown key "Server"`,
      `${path}:8: unauthenticated_paths[0]: must be one of /, /metrics, /probe, /-/healthy, /-/ready, /-/reload, /api/status, /config`,
    ]));
    expect(p).toHaveLength(5);
  });

  it('client certificate policy and CA must agree; min_version above max_version', async () => {
    const verify = await problems(['tls_server_config: {cert_file: certs/server.crt, key_file: certs/server.key, client_auth_type: RequireAndVerifyClientCert}']);
    expect(verify.problems).toEqual([`${verify.path}:1: tls_server_config.client_ca_file: required with client_auth_type RequireAndVerifyClientCert`]);
    const noAuth = await problems(['tls_server_config: {cert_file: certs/server.crt, key_file: certs/server.key, client_ca_file: certs/ca.crt}']);
    expect(noAuth.problems).toEqual([`${noAuth.path}:1: tls_server_config.client_auth_type: client_ca_file is set but client_auth_type is NoClientCert`]);
    const versions = await problems(['tls_server_config: {cert_file: certs/server.crt, key_file: certs/server.key, min_version: TLS13, max_version: TLS12}']);
    expect(versions.problems).toEqual([`${versions.path}:1: tls_server_config.max_version: lower than min_version`]);
  });

  it('missing, non-PEM and mismatched files, at the line of the key', async () => {
    const missing = await problems(['tls_server_config:', '  cert_file: certs/nope.crt', '  key_file: not-pem.txt']);
    expect(missing.problems).toEqual([
      `${missing.path}:2: tls_server_config.cert_file: cannot read ${join(tmp.dir, 'certs', 'nope.crt')}: ENOENT`,
      `${missing.path}:3: tls_server_config.key_file: ${join(tmp.dir, 'not-pem.txt')} holds no PEM data`,
    ]);
    const mismatch = await problems(['tls_server_config:', '  cert_file: certs/server.crt', '  key_file: certs/other.key']);
    expect(mismatch.problems).toEqual([expect.stringMatching(new RegExp(`^${mismatch.path.replace(/[.]/g, '\\.')}:3: tls_server_config\\.key_file: certificate and key do not load together: `))]);
  });

  it('a bad hash or user name is reported without echoing the value', async () => {
    const plaintext = 'hunter2-plaintext-password';
    const { path, problems: p } = await problems(['basic_auth_users:', `  alice: ${plaintext}`, `  "bob:x": ${HASH}`, `  carol: ${HASH.slice(0, -1)}`]);
    expect(p).toEqual(expect.arrayContaining([
      `${path}:2: basic_auth_users.alice: not a bcrypt hash (expected $2a$, $2b$ or $2y$ followed by cost and 53 characters)`,
      `${path}:4: basic_auth_users.carol: not a bcrypt hash (expected $2a$, $2b$ or $2y$ followed by cost and 53 characters)`,
    ]));
    expect(p.some((line) => line.includes('a user name cannot be empty or contain ":"'))).toBe(true);
    const all = p.join('\n');
    expect(all).not.toContain(plaintext);
    expect(all).not.toContain(HASH.slice(7, 30));
  });

  it('YAML syntax errors and a missing file', async () => {
    const yaml = await problems(['basic_auth_users:', '  a: 1', '  a: 2']);
    expect(yaml.problems[0]).toMatch(new RegExp(`^${yaml.path.replace(/[.]/g, '\\.')}:3: YAML: `));
    await expect(loadWebConfig(join(tmp.dir, 'absent.yml'))).rejects.toThrow(/cannot read file: ENOENT/);
  });
});
