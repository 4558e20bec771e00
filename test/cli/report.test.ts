/**
 * `o365-exporter probe` as a real process (the built dist/src/main.js) against local peers:
 * a healthy HTTPS target trusted through tls.ca_file, reached through a local DNS server
 * with a front-door-style CNAME, and a target whose port refuses connections.
 * Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { refusedPort, startHttpsServer, type TestServer } from '../helpers/servers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAIN = join(root, 'dist', 'src', 'main.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI to completion (killed after 30 s so a hang fails instead of blocking). */
function cli(args: string[], command: string[] = [process.execPath, MAIN]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const [bin, ...pre] = command as [string, ...string[]];
    const child = spawn(bin, [...pre, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('o365-exporter probe', () => {
  let pki: Pki;
  let https: TestServer;
  let dns: TestDnsServer;
  let dir: string;
  let config: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} missing: run npm run build first`);
    pki = makePki();
    https = await startHttpsServer(pki.valid, { status: 401, headers: { 'x-feserver': 'AM0PR01CA0001' } });
    dns = await startDnsServer({ 'outlook.test': { cname: 'lhr-efz.ms-acdc.office.test' }, 'lhr-efz.ms-acdc.office.test': { a: ['127.0.0.1'] } });
    dir = mkdtempSync(join(tmpdir(), 'o365-report-'));
    writeFileSync(join(dir, 'ca.pem'), pki.ca.cert);
    config = join(dir, 'config.yml');
    writeFileSync(
      config,
      `resolvers: ["${dns.resolver.host}:${dns.resolver.port}"]
location: {city: Frankfurt}
diagnostics: {tls_issuers: ["o365-exporter Test CA"]}
defaults: {timeout: 5s, ip_version: ipv4}
targets:
  - name: mail
    url: "https://outlook.test:${https.port}/owa/"
    service: Exchange
    category: Default
    valid_status_codes: [401]
    tls: {ca_file: "${join(dir, 'ca.pem')}", server_name: localhost}
  - name: mail-dns
    dns: outlook.test
    service: Exchange
  - name: files
    url: "https://127.0.0.1:${await refusedPort()}/"
    service: SharePoint
    category: Optimize
`,
    );
  });

  afterAll(async () => {
    await https?.close();
    await dns?.close();
    pki?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints a table with phases, status, front door and verdicts, and exits 1 when a target fails', async () => {
    const run = await cli(['probe', `--config.file=${config}`]);
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^o365-exporter probe: 3 targets, 2 passed, 1 failed/);
    expect(run.stdout).toMatch(/TARGET\s+SERVICE\s+DNS\s+CONNECT\s+TLS\s+1ST BYTE\s+STATUS\s+FRONT DOOR\s+RESULT/);
    const mail = lines.find((l) => l.startsWith('mail ')) ?? '';
    // dns, connect, tls and first byte measured (numbers), status 401, front door from the -efz CNAME.
    expect(mail).toMatch(/^mail\s+Exchange\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+401\s+LHR London 638 km\s+ok(, \d warnings?)?$/);
    expect(lines.find((l) => l.startsWith('mail-dns '))).toMatch(/\s+LHR London 638 km\s+ok(, \d warnings?)?$/);
    expect(lines.find((l) => l.startsWith('files '))).toMatch(/^files\s+SharePoint\s+-\s+FAIL\s+-\s+-\s+-\s+-\s+FAIL connect: connect_refused$/);
    expect(run.stdout).toContain('FAIL  files: failed in connect: the TCP connection was refused');
    const fixFirst = run.stdout.slice(run.stdout.indexOf('What to fix first:'));
    expect(fixFirst).toMatch(/1\. files: failed in connect/);
    expect(fixFirst).toContain('-> a firewall rejects the traffic');
  });

  it('shows progress on stderr as one plain line per finished target when stderr is not a terminal', async () => {
    const run = await cli(['probe', `--config.file=${config}`]);
    const progress = run.stderr.trim().split('\n');
    expect(progress).toHaveLength(3);
    expect(progress.map((l) => l.replace(/^\[\d\/3\] /, '').replace(/ \(\d+ ms\)$/, '')).sort()).toEqual(['files: FAIL connect: connect_refused', 'mail-dns: ok', 'mail: ok']);
    expect(run.stderr).not.toContain('\x1b');
    expect(run.stdout).not.toContain('[1/3]');
  });

  it('--target picks targets, and exits 0 when all of them passed', async () => {
    const run = await cli(['probe', `--config.file=${config}`, '--target=mail', '--target=mail-dns']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^o365-exporter probe: 2 targets, 2 passed, 0 failed/);
    expect(run.stdout).not.toMatch(/^files /m);
    // Loopback peers are far below Microsoft's thresholds, unless the machine is very busy.
    expect(run.stdout).not.toContain('FAIL');
  });

  it('warnings (TLS interception, a far front door) are reported but do not fail the run', async () => {
    const far = join(dir, 'far.yml');
    // Same targets, seen from New York, without trusting the test CA.
    writeFileSync(far, readFileSync(config, 'utf8').replace('location: {city: Frankfurt}', 'location: {city: New York}').replace(/^diagnostics: .*$/m, ''));
    const run = await cli(['probe', `--config.file=${far}`, '--target=mail']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout.split('\n').find((l) => l.startsWith('mail '))).toMatch(/LHR London 5570 km\s+ok, \d warnings$/);
    expect(run.stdout).toContain('WARN  mail: TLS intercepted: certificate issued by "o365-exporter Test CA", not Microsoft');
    expect(run.stdout).toContain("WARN  mail: front door LHR (London) 5570 km away: above Microsoft's 800 km");
    expect(run.stdout).toMatch(/What to fix first:\n {2}1\. mail: /);
  });

  it('--target with an unknown name exits 2 and names the configured ones', async () => {
    const run = await cli(['probe', `--config.file=${config}`, '--target=nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown target: nope (configured: mail, mail-dns, files)');
    expect(run.stdout).toBe('');
  });

  it('--json prints one JSON document with the same findings', async () => {
    const run = await cli(['probe', `--config.file=${config}`, '--json']);
    expect(run.code).toBe(1);
    const doc = JSON.parse(run.stdout) as {
      passed: boolean;
      config: string;
      summary: { targets: number; passed: number; failed: number };
      targets: { target: string; path: string; success: boolean; phasesMs: Record<string, number>; status: number | null; failure: { phase: string; reason: string } | null; frontDoor: { code: string; source: string } | null; verdicts: { severity: string; code: string }[] }[];
      fixFirst: { code: string; targets: string[]; fix: string }[];
    };
    expect(doc.passed).toBe(false);
    expect(doc.config).toBe(config);
    expect(doc.summary).toMatchObject({ targets: 3, passed: 2, failed: 1 });
    const byName = Object.fromEntries(doc.targets.map((t) => [t.target, t]));
    expect(byName.mail).toMatchObject({ path: 'direct', success: true, status: 401, failure: null, frontDoor: { code: 'LHR', source: 'cname', city: 'London', country: 'GB', distanceKm: 638 } });
    expect(Object.keys(byName.mail?.phasesMs ?? {})).toEqual(expect.arrayContaining(['dns', 'connect', 'tls', 'first_byte']));
    expect(byName.mail?.phasesMs.connect).toBeGreaterThan(0);
    expect(byName['mail-dns']?.frontDoor).toMatchObject({ code: 'LHR', source: 'cname' });
    expect(byName.files).toMatchObject({ success: false, status: null, failure: { phase: 'connect', reason: 'connect_refused' } });
    expect(byName.files?.verdicts).toEqual([expect.objectContaining({ severity: 'fail', code: 'failed:connect_refused' })]);
    expect(doc.fixFirst[0]).toMatchObject({ code: 'failed:connect_refused', targets: ['files'] });
  });

  it('draws progress in place on a terminal and erases it at the end', async () => {
    // `script` gives the process a pseudo-terminal, so stderr.isTTY is true as for a person.
    const command = `${process.execPath} ${MAIN} probe --config.file=${config} --target=mail`;
    const run = await cli(['-qec', command, '/dev/null'], ['script']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('\r\x1b[2K[0/1] probing mail');
    expect(run.stdout).toContain('\r\x1b[2K[1/1] probing ...');
    expect(run.stdout).toContain('\r\x1b[2Ko365-exporter probe: 1 target, 1 passed');
  });

  it('an invalid config exits 1 with the problem on stderr', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(bad, 'targets:\n  - name: x\n    ulr: https://x.example/\n');
    const run = await cli(['probe', `--config.file=${bad}`]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.yml:3: targets\[0\]: unknown key "ulr"/);
  });
});
