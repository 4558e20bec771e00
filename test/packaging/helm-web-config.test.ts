/**
 * The chart's web config against the real exporter, without a cluster: the flags rendered
 * from test/packaging/values/web-config.yaml start the built exporter (npm run build) with the
 * Secret's mount path mapped onto a temp directory laid out as the kubelet lays out a Secret
 * volume (..data symlinks, the web.yml naming its files relatively). Then what each client
 * of the chart does: the kubelet's probes (HTTPS, no verification, no credentials, no client
 * certificate), a Prometheus with the monitors' tlsConfig and basicAuth, and the `helm test`
 * pod's own script, run with node as in its container. Also a Secret update plus SIGHUP,
 * and RequireAndVerifyClientCert failing the probes as values.yaml and NOTES.txt say.
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClientCert } from '../helpers/client-cert.js';
import { podSpec, render, workload, type Container, type K8sObject } from '../helpers/helm.js';
import { makePki, type KeyPair, type Pki } from '../helpers/pki.js';
import { REPO_ROOT, poll, startExporter, tempDir, type ExporterProcess } from '../helpers/process.js';
import { writeSecretVolume } from '../helpers/secret-volume.js';
import { startHttpServer, type TestServer } from '../helpers/servers.js';

/** Node processes on a loaded two-core machine: a deadline, not a speed claim. */
const PROCESS_TIMEOUT_MS = 120_000;
const PASSWORD = 'scrape-Pa55-4f1e';
const AUTH = `Basic ${Buffer.from(`prometheus:${PASSWORD}`).toString('base64')}`;
const tmp = tempDir('o365-helm-web-');
let pki: Pki | undefined;
let origin: TestServer | undefined;
let objects: K8sObject[] = [];

interface Client {
  /** Verify the server against this CA (as tlsConfig.ca); without it nothing is verified (the kubelet). */
  ca?: string;
  servername?: string;
  auth?: string;
  cert?: KeyPair;
}
interface Answer {
  status: number;
  body: string;
  fingerprint: string;
}

function get(port: number, path: string, client: Client = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1', port, path, agent: false, ca: client.ca, servername: client.servername, rejectUnauthorized: client.ca !== undefined,
      cert: client.cert?.cert, key: client.cert?.key, headers: client.auth ? { authorization: client.auth } : {},
    };
    const req = httpsRequest(options, (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body, fingerprint }));
    });
    req.on('error', reject).end();
  });
}

/** What the kubelet's httpGet probe with scheme: HTTPS does. */
const kubelet = (port: number, path: string): Promise<Answer> => get(port, path);

function exporterContainer(): Container {
  const found = podSpec(workload(objects)).containers.find((c) => c.name === 'exporter');
  if (!found) throw new Error('no exporter container rendered');
  return found;
}

/** The rendered args, the Secret's mount path mapped onto `secretDir`; config and listener come from startExporter. */
function renderedArgs(secretDir: string, dataDir: string): string[] {
  const spec = podSpec(workload(objects));
  const volume = spec.volumes?.find((v) => (v.secret as { secretName?: string } | undefined)?.secretName === 'o365-web');
  const mount = exporterContainer().volumeMounts?.find((m) => m.name === volume?.name);
  if (!mount) throw new Error('the Secret o365-web is not mounted in the exporter container');
  const args = exporterContainer().args ?? [];
  expect(args).toContain(`--web.config.file=${mount.mountPath}/web.yml`);
  return args
    .filter((a) => !/^--(config\.file|web\.listen-address)=/.test(a))
    .map((a) => a.replace(`--web.config.file=${mount.mountPath}/`, `--web.config.file=${secretDir}/`).replace(/^--storage\.path=\/data$/, `--storage.path=${dataDir}`));
}

/** The `helm test` pod's container, run here: its command and args, READY_URL pointed at `origin`. */
function runTestPod(origin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const pod = objects.find((o) => o.kind === 'Pod');
  const container = pod ? podSpec(pod).containers[0] : undefined;
  const rendered = container?.env?.find((e) => e.name === 'READY_URL')?.value ?? '';
  expect(rendered).toMatch(/^https:\/\/[^/]+\/-\/ready$/);
  expect(container?.command).toEqual(['node', '-e']);
  return new Promise((resolve) => {
    const env = { ...process.env, READY_URL: rendered.replace(/^https:\/\/[^/]+/, origin) };
    const child = spawn(process.execPath, ['-e', container?.args?.[0] ?? ''], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function webYml(lines: { clientAuth: string; exempt: string[] }): string {
  return [
    'tls_server_config:',
    '  cert_file: tls.crt',
    '  key_file: tls.key',
    `  client_auth_type: ${lines.clientAuth}`,
    '  client_ca_file: client-ca.crt',
    'basic_auth_users:',
    `  prometheus: ${bcrypt.hashSync(PASSWORD, 8)}`,
    `unauthenticated_paths: [${lines.exempt.join(', ')}]`,
    '',
  ].join('\n');
}

async function startWith(name: string, clientAuth: string, exempt: string[]): Promise<{ exporter: ExporterProcess; secretDir: string }> {
  const secretDir = join(tmp.dir, name, 'secret');
  const p = pki as Pki;
  writeSecretVolume(secretDir, { 'web.yml': webYml({ clientAuth, exempt }), 'tls.crt': p.valid.cert, 'tls.key': p.valid.key, 'client-ca.crt': p.ca.cert });
  const config = `defaults: {interval: 1h, timeout: 5s}\ntargets:\n  - {name: origin, url: "http://127.0.0.1:${origin?.port}/"}\n`;
  const exporter = await startExporter(config, { args: renderedArgs(secretDir, join(tmp.dir, name)), waitReady: false });
  return { exporter, secretDir };
}

beforeAll(async () => {
  pki = makePki();
  origin = await startHttpServer({ status: 200, body: 'origin' });
  objects = await render(['web-config.yaml']);
}, PROCESS_TIMEOUT_MS);

afterAll(async () => {
  await origin?.close();
  pki?.cleanup();
  tmp.cleanup();
});

describe('the chart-rendered web config on the exporter (VerifyClientCertIfGiven, basic auth, probes exempt)', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let exporter: ExporterProcess | undefined;
  let secretDir = '';
  const port = (): number => exporter?.port ?? 0;

  beforeAll(async () => {
    ({ exporter, secretDir } = await startWith('verify-if-given', 'VerifyClientCertIfGiven', ['/-/healthy', '/-/ready']));
    await poll('/-/ready as the kubelet asks it', async () => ((await kubelet(port(), '/-/ready').catch(() => undefined))?.status === 200 ? true : undefined));
  }, PROCESS_TIMEOUT_MS);

  afterAll(async () => {
    await exporter?.stop();
  });

  it('starts from the rendered flags on the Secret layout and answers the kubelet probes over HTTPS only', async () => {
    expect(exporter?.stderr()).toMatch(/msg="o365-exporter listening".* tls=true basic_auth=true/);
    expect((await kubelet(port(), '/-/healthy')).status).toBe(200);
    expect((await kubelet(port(), '/-/ready')).status).toBe(200);
    // scheme: HTTP against this listener never gets an answer.
    await expect(fetch(`http://127.0.0.1:${port()}/-/ready`)).rejects.toThrow();
  });

  it('serves a Prometheus with the CA, serverName and basic auth; 401 without; a foreign client certificate is refused', async () => {
    const ca = pki?.ca.cert;
    expect((await get(port(), '/metrics', { ca, servername: 'localhost' })).status).toBe(401);
    const scrape = await get(port(), '/metrics', { ca, servername: 'localhost', auth: AUTH });
    expect(scrape.status).toBe(200);
    expect(scrape.body).toMatch(/^# HELP o365_/m);
    const client = makeClientCert(pki?.ca as KeyPair, 'prometheus');
    expect((await get(port(), '/metrics', { ca, servername: 'localhost', auth: AUTH, cert: client })).status).toBe(200);
    const intruder = makeClientCert(pki?.inspectionCa as KeyPair, 'intruder');
    await expect(get(port(), '/metrics', { ca, servername: 'localhost', auth: AUTH, cert: intruder })).rejects.toThrow();
  });

  it("passes the helm test pod's script over https without verifying the certificate", async () => {
    const run = await runTestPod(`https://127.0.0.1:${port()}`);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\/-\/ready 200 /);
    expect(run.code).toBe(0);
  });

  it('takes a Secret update on SIGHUP (new certificate); with /-/ready no longer exempt the helm test fails with a hint', async () => {
    const p = pki as Pki;
    writeSecretVolume(secretDir, { 'web.yml': webYml({ clientAuth: 'VerifyClientCertIfGiven', exempt: ['/-/healthy'] }), 'tls.crt': p.selfSigned.cert, 'tls.key': p.selfSigned.key, 'client-ca.crt': p.ca.cert });
    exporter?.child.kill('SIGHUP');
    const rotated = new X509Certificate(p.selfSigned.cert).fingerprint256;
    await poll('the rotated certificate served', async () => ((await kubelet(port(), '/-/healthy').catch(() => undefined))?.fingerprint === rotated ? true : undefined));
    expect((await kubelet(port(), '/-/healthy')).status).toBe(200);
    expect((await kubelet(port(), '/-/ready')).status).toBe(401);
    const run = await runTestPod(`https://127.0.0.1:${port()}`);
    expect(run.stdout).toMatch(/\/-\/ready 401/);
    expect(run.stderr).toMatch(/list it in unauthenticated_paths/);
    expect(run.code).toBe(1);
  });
});

describe('RequireAndVerifyClientCert fails the kubelet probes and the helm test (as the chart documents)', { timeout: PROCESS_TIMEOUT_MS }, () => {
  let exporter: ExporterProcess | undefined;
  const port = (): number => exporter?.port ?? 0;

  beforeAll(async () => {
    ({ exporter } = await startWith('require-verify', 'RequireAndVerifyClientCert', ['/-/healthy', '/-/ready']));
  }, PROCESS_TIMEOUT_MS);

  afterAll(async () => {
    await exporter?.stop();
  });

  it('refuses the probe without a certificate and serves one with it', async () => {
    const client = makeClientCert(pki?.ca as KeyPair, 'prometheus');
    const withCert = await poll('/-/healthy with a client certificate', async () => (await get(port(), '/-/healthy', { ca: pki?.ca.cert, cert: client }).catch(() => undefined)));
    expect(withCert.status).toBe(200);
    await expect(kubelet(port(), '/-/healthy')).rejects.toThrow();
    const run = await runTestPod(`https://127.0.0.1:${port()}`);
    expect(run.code).toBe(1);
  });
});
