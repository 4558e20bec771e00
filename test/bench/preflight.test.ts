/**
 * The bench's check of what is installed, before it creates anything: the rules with a fake
 * PATH lookup, then the harness itself on a PATH without wrk.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBenchFlags } from '../../bench/lib/flags.js';
import { missingMessage, missingTools, onPath } from '../../bench/lib/preflight.js';

const ALL = ['ip', 'nice', 'openssl', 'cc', 'python3', 'chrt', '/usr/sbin/nginx', '/usr/sbin/dnsmasq', 'prometheus-blackbox-exporter', 'wrk'];
const without = (...gone: string[]) => (command: string) => ALL.includes(command) && !gone.includes(command);
const missing = (args: string[], has: (command: string) => boolean) => missingTools(parseBenchFlags(args), has).map((m) => m.command);

describe('missingTools', () => {
  it('asks for nothing when everything is there', () => {
    expect(missing([], without())).toEqual([]);
  });

  it('asks for wrk and blackbox_exporter only for the scenarios that use them', () => {
    expect(missing(['--only=scheduled'], without('wrk', 'prometheus-blackbox-exporter'))).toEqual([]);
    expect(missing(['--only=accuracy'], without('wrk', 'prometheus-blackbox-exporter'))).toEqual(['prometheus-blackbox-exporter']);
    expect(missing(['--only=throughput'], without('wrk', 'prometheus-blackbox-exporter'))).toEqual(['prometheus-blackbox-exporter', 'wrk']);
  });

  it('asks for python3 only when there is no compiler for the C link emulator, and for cc when told --link=c', () => {
    expect(missing([], without('python3'))).toEqual([]);
    expect(missing([], without('cc', 'python3'))).toEqual(['python3']);
    expect(missing(['--link=c'], without('cc'))).toEqual(['cc']);
    expect(missing(['--link=python'], without('python3'))).toEqual(['python3']);
  });

  it('asks for nginx and dnsmasq only when told --far=native, and chrt unless --no-realtime-link', () => {
    expect(missing([], without('/usr/sbin/nginx', '/usr/sbin/dnsmasq'))).toEqual([]);
    expect(missing(['--far=native'], without('/usr/sbin/nginx'))).toEqual(['/usr/sbin/nginx']);
    expect(missing([], without('chrt'))).toEqual(['chrt']);
    expect(missing(['--no-realtime-link'], without('chrt'))).toEqual([]);
  });

  it('names each tool with its Debian package and one apt-get line', () => {
    const text = missingMessage(missingTools(parseBenchFlags(['--far=native']), without('/usr/sbin/nginx', '/usr/sbin/dnsmasq', 'wrk')));
    expect(text).toContain('/usr/sbin/nginx (Debian package nginx-light), for --far=native');
    expect(text).toContain('wrk (Debian package wrk), for throughput');
    expect(text).toContain('install with: apt-get install -y nginx-light dnsmasq-base wrk\n');
  });

  it('finds executables on PATH and by absolute path, not what is absent', () => {
    expect(onPath('sh')).toBe(true);
    expect(onPath('/bin/sh')).toBe(true);
    expect(onPath('no-such-tool-here')).toBe(false);
    expect(onPath('/etc/passwd')).toBe(false);
  });
});

describe('npm run bench without wrk', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-preflight-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('stops before creating anything, naming wrk and its package', async () => {
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    for (const tool of ['ip', 'nice', 'openssl', 'cc', 'chrt', 'prometheus-blackbox-exporter']) {
      symlinkSync(execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim(), join(bin, tool));
    }
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only=throughput', `--out=${join(tmp, 'out')}`], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, PATH: bin, TMPDIR: tmp },
    });
    const err = await run.then(() => expect.fail('the bench ran without wrk'), (e: unknown) => e as { code: number; stderr: string });
    expect(err.code).toBe(2);
    expect(err.stderr).toBe('bench: not installed:\n  wrk (Debian package wrk), for throughput\ninstall with: apt-get install -y wrk\n');
    expect(readdirSync(tmp).filter((name) => !name.startsWith('tsx-'))).toEqual(['bin']);
  }, 60_000);
});
