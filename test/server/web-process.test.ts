/**
 * The built exporter as a process with --web.config.file (HTTPS, basic auth, one exempt
 * path) and a config holding proxy credentials, at log.level=debug: every endpoint is read
 * over TLS, and neither the answers nor stderr ever show a password, a Proxy-Authorization
 * value or a bcrypt hash (through scrapes, failed logins, a reload to an invalid file and
 * a SIGHUP). A second process requires verified client certificates and TLS 1.3 (curl and
 * openssl s_client). Also: an invalid web config stops the start with file:line and exit 1.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClientCert } from '../helpers/client-cert.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { poll, runMain, startExporter, tempDir, type ExporterProcess } from '../helpers/process.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

const PROXY_USER = 'squid-user';
const PROXY_PASSWORD = 'Pr0xy@S3cret:7f3a';
const WRONG_PROXY_PASSWORD = 'Wr0ngPr0xyPassw0rd';
const WEB_PASSWORD = 'W3b-P@ssw0rd-91c2';
const WEB_HASH = bcrypt.hashSync(WEB_PASSWORD, 8);
const proxyAuth = (password: string): string => Buffer.from(`${PROXY_USER}:${password}`).toString('base64');
/** Every form a secret could leak in. */
const SECRETS = [
  PROXY_PASSWORD, 'S3cret:7f3a', encodeURIComponent(PROXY_PASSWORD), 'Pr0xy%40S3cret', proxyAuth(PROXY_PASSWORD),
  WRONG_PROXY_PASSWORD, proxyAuth(WRONG_PROXY_PASSWORD), WEB_PASSWORD, WEB_HASH, WEB_HASH.slice(29),
  Buffer.from(`prometheus:${WEB_PASSWORD}`).toString('base64'),
];

/** Several node processes per test on a loaded two-core CI machine: a deadline, not a speed claim. */
const PROCESS_TIMEOUT_MS = 120_000;
const tmp = tempDir('o365-web-process-');
let pki: Pki | undefined;
let proxy: ConnectProxy | undefined;
let origin: TestServer | undefined;
let exporter: ExporterProcess | undefined;
let configYaml = '';
const AUTH = `Basic ${Buffer.from(`prometheus:${WEB_PASSWORD}`).toString('base64')}`;

function get(path: string, opts: { auth?: string; method?: string; accept?: string } = {}): Promise<{ status: number; body: string; headers: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (opts.auth) headers.authorization = opts.auth;
    if (opts.accept) headers.accept = opts.accept;
    const req = httpsRequest({ host: '127.0.0.1', port: exporter?.port, path, method: opts.method ?? 'GET', ca: pki?.ca.cert, agent: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: JSON.stringify(res.headers) }));
    });
    req.on('error', reject).end();
  });
}

function expectNoSecret(where: string, text: string): void {
  for (const secret of SECRETS) expect(text.includes(secret), `${where} contains ${JSON.stringify(secret.slice(0, 4))}...`).toBe(false);
}

beforeAll(async () => {
  pki = makePki();
  origin = await startHttpServer({ status: 200, body: 'origin' });
  proxy = await startConnectProxy({ auth: { username: PROXY_USER, password: PROXY_PASSWORD } });
  writeFileSync(join(tmp.dir, 'server.crt'), pki.valid.cert);
  writeFileSync(join(tmp.dir, 'server.key'), pki.valid.key);
  const webConfig = join(tmp.dir, 'web.yml');
  writeFileSync(webConfig, ['tls_server_config:', '  cert_file: server.crt', '  key_file: server.key', 'basic_auth_users:', `  prometheus: ${WEB_HASH}`, 'unauthenticated_paths: [/-/healthy]', ''].join('\n'));
  configYaml = [
    'defaults: {interval: 1h, timeout: 5s}',
    'proxies:',
    // Raw @ and : in the password, as people paste them; the URL parser takes the last @.
    `  - {name: corp, url: "http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${proxy.port}"}`,
    '  - name: stale',
    `    url: http://${PROXY_USER}:${WRONG_PROXY_PASSWORD}@127.0.0.1:${proxy.port}/`,
    'targets:',
    `  - {name: origin, url: "http://127.0.0.1:${origin.port}/", via: [direct, corp, stale]}`,
    '',
  ].join('\n');
  exporter = await startExporter(configYaml, { args: [`--web.config.file=${webConfig}`, '--log.level=debug'], waitReady: false });
  await poll('/-/ready over TLS with credentials', async () => ((await get('/-/ready', { auth: AUTH }).catch(() => undefined))?.status === 200 ? true : undefined));
});

afterAll(async () => {
  await exporter?.stop();
  await proxy?.close();
  await origin?.close();
  pki?.cleanup();
  tmp.cleanup();
});

describe('exporter process with --web.config.file', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('serves HTTPS with basic auth: 401 without or with a wrong password, 200 with the right one, /-/healthy exempt', async () => {
    expect((await get('/metrics')).status).toBe(401);
    expect((await get('/metrics', { auth: `Basic ${Buffer.from('prometheus:nope').toString('base64')}` })).status).toBe(401);
    expect((await get('/metrics', { auth: AUTH })).status).toBe(200);
    expect((await get('/-/healthy')).status).toBe(200);
    expect(exporter?.stderr()).toMatch(/msg="o365-exporter listening".* tls=true basic_auth=true/);
  });

  it('the proxy credentials work (a tunnel opened through the authenticating proxy) and the wrong ones fail with 407', async () => {
    expect(proxy?.tunnels()).toBeGreaterThan(0);
    const status = JSON.parse((await get('/api/status', { auth: AUTH })).body) as unknown;
    expect(JSON.stringify(status)).toMatch(/proxy_auth_required/);
  });

  it('no endpoint, log line or error shows a password, a Proxy-Authorization value or a hash', async () => {
    const answers: [string, string][] = [];
    const paths = ['/', '/api/status', '/config', '/metrics', '/-/ready', '/-/healthy', '/probe?target=origin', `/probe?target=${encodeURIComponent(`http://127.0.0.1:${origin?.port}/`)}&module=http`, '/probe?target=evil.example', '/nope'];
    for (const path of paths) {
      const res = await get(path, { auth: AUTH });
      answers.push([path, `${res.status} ${res.headers}\n${res.body}`]);
    }
    answers.push(['/metrics (OpenMetrics)', (await get('/metrics', { auth: AUTH, accept: 'application/openmetrics-text; version=1.0.0' })).body]);
    answers.push(['/metrics (wrong password)', JSON.stringify(await get('/metrics', { auth: `Basic ${Buffer.from(`prometheus:${WEB_PASSWORD}x`).toString('base64')}` }))]);
    answers.push(['POST /-/reload', (await get('/-/reload', { auth: AUTH, method: 'POST' })).body]);
    // An invalid file holding the same secrets: the reload error must not quote them.
    exporter?.writeConfig(`${configYaml}unknown_key: http://${PROXY_USER}:${PROXY_PASSWORD}@x.example\n  bad: [indent\n`);
    const failed = await get('/-/reload', { auth: AUTH, method: 'POST' });
    expect(failed.status).toBe(500);
    answers.push(['POST /-/reload (invalid)', failed.body]);
    exporter?.writeConfig(`${configYaml}proxy_password: ${PROXY_PASSWORD}\n`);
    answers.push(['POST /-/reload (unknown key)', (await get('/-/reload', { auth: AUTH, method: 'POST' })).body]);
    exporter?.writeConfig(configYaml);
    exporter?.child.kill('SIGHUP');
    await poll('the SIGHUP reload', () => (/config reloaded[^\n]*\n[^]*config reloaded/.test(exporter?.stderr() ?? '') ? true : undefined));
    expect(answers.find(([p]) => p === '/config')?.[1]).toContain('REDACTED:REDACTED@127.0.0.1');
    for (const [where, text] of answers) expectNoSecret(where, text);
    expect(exporter?.stderr()).toMatch(/level=debug msg="basic auth failed"/);
    expectNoSecret('stderr', exporter?.stderr() ?? '');
  });
});

describe('exporter process: SIGHUP re-reads the web config', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('a new password works after SIGHUP and the old one no longer does', async () => {
    const rotated = `${WEB_PASSWORD}-rotated`;
    writeFileSync(join(tmp.dir, 'web.yml'), ['tls_server_config:', '  cert_file: server.crt', '  key_file: server.key', 'basic_auth_users:', `  prometheus: ${bcrypt.hashSync(rotated, 8)}`, 'unauthenticated_paths: [/-/healthy]', ''].join('\n'));
    exporter?.child.kill('SIGHUP');
    const auth = `Basic ${Buffer.from(`prometheus:${rotated}`).toString('base64')}`;
    await poll('the rotated password accepted', async () => ((await get('/metrics', { auth })).status === 200 ? true : undefined));
    expect((await get('/metrics', { auth: AUTH })).status).toBe(401);
    expect(exporter?.stderr()).toMatch(/msg="web config reloaded"/);
  });
});

describe('exporter process with mTLS (RequireAndVerifyClientCert, min_version TLS13)', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let mtls: ExporterProcess | undefined;
  const files = (name: string): string => join(tmp.dir, name);
  const withStdinClosed = (cmd: string, args: string[]): Promise<{ code: number | null; out: string }> =>
    new Promise((resolve) => {
      const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
      child.on('close', (code) => resolve({ code, out }));
    });

  beforeAll(async () => {
    const client = makeClientCert(pki?.ca ?? { cert: '', key: '' }, 'prometheus');
    writeFileSync(files('ca.crt'), pki?.ca.cert ?? '');
    writeFileSync(files('client.crt'), client.cert);
    writeFileSync(files('client.key'), client.key);
    writeFileSync(files('mtls.yml'), ['tls_server_config:', '  cert_file: server.crt', '  key_file: server.key', '  client_auth_type: RequireAndVerifyClientCert', '  client_ca_file: ca.crt', '  min_version: TLS13', ''].join('\n'));
    mtls = await startExporter('defaults: {interval: 1h}\ntargets: []\n', { args: [`--web.config.file=${files('mtls.yml')}`], waitReady: false });
  });

  afterAll(async () => {
    await mtls?.stop();
  });

  it('curl with the client certificate scrapes /metrics; without it the handshake fails', async () => {
    const url = `https://127.0.0.1:${mtls?.port}/metrics`;
    const ok = await poll('a scrape with the client certificate', async () => {
      const res = await withStdinClosed('curl', ['-sS', '--cacert', files('ca.crt'), '--cert', files('client.crt'), '--key', files('client.key'), url]);
      return res.code === 0 ? res : undefined;
    });
    expect(ok.out).toMatch(/^# HELP /m);
    const refused = await withStdinClosed('curl', ['-sS', '--cacert', files('ca.crt'), url]);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/alert|certificate required|SSL/i);
  });

  it('a TLS 1.2-only client (openssl s_client -tls1_2) is refused; TLS 1.3 is served', async () => {
    const args = (v: string): string[] => ['s_client', '-connect', `127.0.0.1:${mtls?.port}`, v, '-CAfile', files('ca.crt'), '-cert', files('client.crt'), '-key', files('client.key'), '-brief'];
    const old = await withStdinClosed('openssl', args('-tls1_2'));
    expect(old.code).not.toBe(0);
    expect(old.out).toMatch(/alert protocol version|wrong version|no protocols available/i);
    const current = await withStdinClosed('openssl', args('-tls1_3'));
    expect(current.out).toMatch(/Protocol version: TLSv1\.3/);
  });
});

describe('the command line outputs', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('probe (text and --json) and --config.check print no proxy password', async () => {
    const file = join(tmp.dir, 'cli-config.yml');
    writeFileSync(file, configYaml);
    for (const args of [['probe', `--config.file=${file}`], ['probe', '--json', `--config.file=${file}`], ['--config.check', `--config.file=${file}`]]) {
      const proc = runMain(args);
      await proc.exited;
      expect(proc.stdout().length, args.join(' ')).toBeGreaterThan(0);
      expectNoSecret(`${args.join(' ')} stdout`, proc.stdout());
      expectNoSecret(`${args.join(' ')} stderr`, proc.stderr());
    }
  });
});

describe('an invalid web config', { timeout: PROCESS_TIMEOUT_MS }, () => {
  it('stops the start with exit 1 and file:line problems, without quoting the file; --config.check reports it too', async () => {
    const file = join(tmp.dir, 'bad-web.yml');
    writeFileSync(file, ['basic_auth_users:', `  prometheus: ${WEB_PASSWORD}`, 'tls_server_config:', '  cert_file: missing.crt', '  key_file: server.key', '  cipher_suites: []', ''].join('\n'));
    const proc = runMain([`--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0']);
    const status = await proc.exited;
    expect(status.code).toBe(1);
    expect(proc.stderr()).toContain('invalid web config, not starting');
    expect(proc.stderr()).toContain(`${file}:2: basic_auth_users.prometheus: not a bcrypt hash`);
    expect(proc.stderr()).toContain(`${file}:6: tls_server_config: exporter-toolkit key \\"cipher_suites\\" not supported by o365-exporter`);
    expectNoSecret('stderr', proc.stderr());
    const check = runMain(['--config.check', `--web.config.file=${file}`]);
    expect((await check.exited).code).toBe(1);
    expect(check.stdout()).toContain(`${file}:2: basic_auth_users.prometheus: not a bcrypt hash`);
    expectNoSecret('--config.check stdout', check.stdout());
    const good = runMain(['--config.check', `--web.config.file=${join(tmp.dir, 'web.yml')}`]);
    expect((await good.exited).code).toBe(0);
    expect(good.stdout()).toMatch(/web config .*web\.yml is valid: TLS \(NoClientCert\), 1 basic auth user\(s\)/);
  });
});
