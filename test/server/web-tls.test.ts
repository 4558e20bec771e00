/**
 * The --web.config.file listener with real TLS clients: node https, undici, curl and
 * openssl s_client, against the real app on an in-process exporter. Basic auth on every
 * route (wrong passwords, unknown users, exempt paths), client certificate policies
 * (missing, untrusted, trusted), and min_version TLS13 against a TLS 1.2-only client.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/exporter.js';
import { runProbe } from '../../src/probes/index.js';
import { createApp } from '../../src/server/app.js';
import { close, listen } from '../../src/server/listen.js';
import { loadWebConfig } from '../../src/server/web-config.js';
import { createWebListener, createWebServer, type WebListener } from '../../src/server/web-tls.js';
import { silentLogger } from '../../src/util/log.js';
import { makeClientCert } from '../helpers/client-cert.js';
import { makePki, type KeyPair, type Pki } from '../helpers/pki.js';
import { tempDir } from '../helpers/process.js';

const run = promisify(execFile);

/** Runs a command with stdin at EOF (s_client would otherwise wait for input); never rejects. */
function runNoInput(cmd: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
}
const tmp = tempDir('o365-web-tls-');
const PASSWORD = 'correct horse battery staple';
let pki: Pki | undefined;
let trusted: KeyPair | undefined;
let untrusted: KeyPair | undefined;
let exporter: Exporter | undefined;
const servers = new Map<string, { server: Server; port: number }>();

const ca = (): string => pki?.ca.cert ?? '';
const port = (name: string): number => servers.get(name)?.port ?? 0;
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function startWith(name: string, yaml: string[]): Promise<void> {
  const file = join(tmp.dir, `${name}.yml`);
  writeFileSync(file, `${yaml.join('\n')}\n`);
  const web = await loadWebConfig(file);
  if (!exporter) throw new Error('no exporter');
  servers.set(name, await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0, (app) => createWebServer(app, web, silentLogger)));
}

beforeAll(async () => {
  pki = makePki();
  trusted = makeClientCert(pki.ca, 'prometheus');
  untrusted = makeClientCert(pki.inspectionCa, 'stranger');
  for (const [file, pem] of [['server.crt', pki.valid.cert], ['server.key', pki.valid.key], ['ca.crt', pki.ca.cert], ['client.crt', trusted.cert], ['client.key', trusted.key], ['stranger.crt', untrusted.cert], ['stranger.key', untrusted.key]] as const) {
    writeFileSync(join(tmp.dir, file), pem);
  }
  const configFile = join(tmp.dir, 'config.yml');
  writeFileSync(configFile, 'defaults: {interval: 1h}\ntargets: []\n');
  exporter = await Exporter.start({ configFile });
  const tls = (extra: string[]): string[] => ['tls_server_config:', '  cert_file: server.crt', '  key_file: server.key', ...extra.map((l) => `  ${l}`)];
  await startWith('auth', [
    ...tls([]),
    'basic_auth_users:',
    `  prometheus: ${bcrypt.hashSync(PASSWORD, 8)}`,
    'http_server_config: {headers: {X-Content-Type-Options: nosniff, Strict-Transport-Security: max-age=31536000}}',
    'unauthenticated_paths: [/-/healthy]',
  ]);
  await startWith('mtls', tls(['client_auth_type: RequireAndVerifyClientCert', 'client_ca_file: ca.crt', 'min_version: TLS13']));
  await startWith('any', tls(['client_auth_type: RequireAnyClientCert']));
  await startWith('ifgiven', tls(['client_auth_type: VerifyClientCertIfGiven', 'client_ca_file: ca.crt']));
  await startWith('request', tls(['client_auth_type: RequestClientCert']));
});

afterAll(async () => {
  for (const { server } of servers.values()) await close(server);
  await exporter?.stop();
  pki?.cleanup();
  tmp.cleanup();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request with node's https client and its own connection; rejects on any TLS or socket error. */
function get(server: string, path: string, opts: { auth?: string; client?: KeyPair; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port: port(server), path, method: opts.method ?? 'GET', ca: ca(), cert: opts.client?.cert, key: opts.client?.key, agent: false, headers: opts.auth ? { authorization: opts.auth } : {} },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject).end();
  });
}

const ROUTES: [string, string, number][] = [
  ['GET', '/', 200], ['GET', '/metrics', 200], ['GET', '/-/ready', 200], ['GET', '/api/status', 200], ['GET', '/config', 200],
  ['GET', '/probe?target=evil.example', 403], ['GET', '/no-such-page', 404], ['POST', '/-/reload', 200],
];

describe('basic auth over TLS (node https client)', () => {
  it.each(ROUTES)('%s %s: 401 with WWW-Authenticate without credentials, wrong password, unknown user; served with the right one', async (method, path, status) => {
    for (const auth of [undefined, basic('prometheus', 'wrong'), basic('prometheus', `${PASSWORD} `), basic('mallory', PASSWORD), 'Bearer xyz']) {
      const res = await get('auth', path, { auth, method });
      expect(res.status, `${path} ${auth}`).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="o365-exporter", charset="UTF-8"');
      expect(res.body).toBe('Unauthorized\n');
    }
    expect((await get('auth', path, { auth: basic('prometheus', PASSWORD), method })).status).toBe(status);
  });

  it('an exempt path is served without credentials; other spellings of it are not exempt', async () => {
    expect(await get('auth', '/-/healthy')).toMatchObject({ status: 200, body: 'Healthy\n' });
    expect((await get('auth', '/-/healthy?x=1')).status).toBe(200);
    for (const path of ['/-/Healthy', '/-/healthy/', '/-/%68ealthy', '//-/healthy']) expect((await get('auth', path)).status, path).toBe(401);
  });

  it('the configured headers are on every answer, 401s included', async () => {
    for (const res of [await get('auth', '/metrics'), await get('auth', '/-/healthy'), await get('auth', '/metrics', { auth: basic('prometheus', PASSWORD) })]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    }
  });

  it('undici with the test CA and credentials scrapes /metrics', async () => {
    const dispatcher = new Agent({ connect: { ca: ca() } });
    try {
      const res = await undiciFetch(`https://127.0.0.1:${port('auth')}/metrics`, { dispatcher, headers: { authorization: basic('prometheus', PASSWORD) } });
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^# HELP /m);
      const denied = await undiciFetch(`https://127.0.0.1:${port('auth')}/metrics`, { dispatcher });
      expect(denied.status).toBe(401);
      await denied.arrayBuffer();
    } finally {
      await dispatcher.close();
    }
  });

  it('a client that does not trust the server certificate fails the handshake', async () => {
    await expect(new Promise((resolve, reject) => httpsRequest({ host: '127.0.0.1', port: port('auth'), path: '/', agent: false }, resolve).on('error', reject).end())).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});

describe('client certificates', () => {
  it('RequireAndVerifyClientCert: a trusted client certificate is served; none or an untrusted one is refused', async () => {
    expect((await get('mtls', '/-/healthy', { client: trusted })).status).toBe(200);
    await expect(get('mtls', '/-/healthy')).rejects.toThrow(/certificate required|ECONNRESET|socket hang up/i);
    await expect(get('mtls', '/-/healthy', { client: untrusted })).rejects.toThrow(/unknown ca|ECONNRESET|socket hang up/i);
  });

  it('RequireAnyClientCert: any certificate, even untrusted; none is refused', async () => {
    expect((await get('any', '/-/healthy', { client: untrusted })).status).toBe(200);
    await expect(get('any', '/-/healthy')).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('VerifyClientCertIfGiven: none or a trusted one is served; an untrusted one is refused', async () => {
    expect((await get('ifgiven', '/-/healthy')).status).toBe(200);
    expect((await get('ifgiven', '/-/healthy', { client: trusted })).status).toBe(200);
    await expect(get('ifgiven', '/-/healthy', { client: untrusted })).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('RequestClientCert: with or without a certificate', async () => {
    expect((await get('request', '/-/healthy')).status).toBe(200);
    expect((await get('request', '/-/healthy', { client: untrusted })).status).toBe(200);
  });

  it('curl: served with the client certificate, refused without it', async () => {
    const url = `https://127.0.0.1:${port('mtls')}/-/healthy`;
    const ok = await run('curl', ['-sS', '--cacert', join(tmp.dir, 'ca.crt'), '--cert', join(tmp.dir, 'client.crt'), '--key', join(tmp.dir, 'client.key'), url]);
    expect(ok.stdout).toBe('Healthy\n');
    await expect(run('curl', ['-sS', '--cacert', join(tmp.dir, 'ca.crt'), url])).rejects.toMatchObject({ code: expect.any(Number) });
  });
});

describe('TLS versions', () => {
  /** TLS 1.2-only client: resolves with the negotiated version, rejects on a failed handshake. */
  function tls12Only(server: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ host: '127.0.0.1', port: port(server), ca: ca(), cert: trusted?.cert, key: trusted?.key, maxVersion: 'TLSv1.2' }, () => {
        resolve(socket.getProtocol() ?? '');
        socket.destroy();
      });
      socket.on('error', reject);
    });
  }

  it('min_version TLS13 refuses a TLS 1.2-only client (node); the default accepts it', async () => {
    await expect(tls12Only('mtls')).rejects.toThrow(/protocol version|wrong version|unsupported protocol/i);
    expect(await tls12Only('auth')).toBe('TLSv1.2');
  });

  it('min_version TLS13 refuses openssl s_client -tls1_2, accepts -tls1_3', async () => {
    const args = (version: string): string[] => ['s_client', '-connect', `127.0.0.1:${port('mtls')}`, version, '-CAfile', join(tmp.dir, 'ca.crt'), '-cert', join(tmp.dir, 'client.crt'), '-key', join(tmp.dir, 'client.key')];
    const refused = await runNoInput('openssl', args('-tls1_2'));
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/alert protocol version|wrong version|no protocols available/i);
    const accepted = await runNoInput('openssl', [...args('-tls1_3'), '-brief']);
    expect(accepted.out).toMatch(/Protocol version: TLSv1\.3/);
    expect(accepted.code).toBe(0);
  });
});

describe('reloading the web config (SIGHUP)', () => {
  it('a new certificate, users and headers apply to the next connection; an invalid file or a policy change keeps the running config', async () => {
    const file = join(tmp.dir, 'reload.yml');
    const hash = (pw: string): string => bcrypt.hashSync(pw, 4);
    writeFileSync(join(tmp.dir, 'inspected.crt'), pki?.inspected.cert ?? '');
    writeFileSync(join(tmp.dir, 'inspected.key'), pki?.inspected.key ?? '');
    writeFileSync(file, ['tls_server_config: {cert_file: server.crt, key_file: server.key}', `basic_auth_users: {alice: "${hash('first')}"}`, ''].join('\n'));
    if (!exporter) throw new Error('no exporter');
    const initial = await loadWebConfig(file);
    let listener: WebListener | undefined;
    const real = await listen(createApp({ exporter, runProbe }), '127.0.0.1', 0, (app) => (listener = createWebListener(app, initial, silentLogger)).server);
    try {
      const fetchAs = (password: string): Promise<{ status: number; issuer: string; frame: unknown }> =>
        new Promise((resolve, reject) => {
          httpsRequest({ host: '127.0.0.1', port: real.port, path: '/-/ready', ca: [ca(), pki?.inspectionCa.cert ?? ''], agent: false, headers: { authorization: basic('alice', password) } }, (res) => {
            const issuer = String((res.socket as TLSSocket).getPeerCertificate().issuer.CN);
            res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, issuer, frame: res.headers['x-frame-options'] }));
          }).on('error', reject).end();
        });
      expect(await fetchAs('first')).toEqual({ status: 200, issuer: 'o365-exporter Test CA', frame: undefined });

      writeFileSync(file, ['tls_server_config: {cert_file: inspected.crt, key_file: inspected.key}', `basic_auth_users: {alice: "${hash('second')}"}`, 'http_server_config: {headers: {X-Frame-Options: deny}}', ''].join('\n'));
      expect(await listener?.reload(file)).toBeUndefined();
      expect(await fetchAs('first')).toMatchObject({ status: 401, issuer: 'Corporate Inspection CA', frame: 'deny' });
      expect(await fetchAs('second')).toEqual({ status: 200, issuer: 'Corporate Inspection CA', frame: 'deny' });

      writeFileSync(file, 'tls_server_config: {cert_file: nope.crt}\n');
      expect(await listener?.reload(file)).toMatch(/^invalid web config .*reload\.yml:\n/);
      writeFileSync(file, ['tls_server_config: {cert_file: server.crt, key_file: server.key, client_auth_type: RequireAnyClientCert}', ''].join('\n'));
      expect(await listener?.reload(file)).toBe('changing client_auth_type needs a restart');
      writeFileSync(file, `basic_auth_users: {alice: "${hash('third')}"}\n`);
      expect(await listener?.reload(file)).toBe('switching between HTTP and HTTPS needs a restart');
      expect(await fetchAs('second')).toEqual({ status: 200, issuer: 'Corporate Inspection CA', frame: 'deny' });
    } finally {
      await close(real.server);
    }
  });
});
