import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exporterRuntime } from '../../bench/lib/exporters.js';
import { imageNodeVersion } from '../../bench/lib/image-node.js';
import { parseBenchFlags } from '../../bench/lib/flags.js';

describe('bench flags', () => {
  it('holds idle CPUs at polling unless --cpu-idle=default, and names the flag on anything else', () => {
    expect(parseBenchFlags([]).cpuIdle).toBe('poll');
    expect(parseBenchFlags(['--cpu-idle=default']).cpuIdle).toBe('default');
    expect(parseBenchFlags(['--cpu-idle=spin']).cpuIdle).toBe('spin');
    expect(() => parseBenchFlags(['--cpu-idle=off'])).toThrow('--cpu-idle: "off" is not poll, spin or default');
  });

  it('makes P-256 certificates unless --cert-key=rsa, and names the flag on anything else', () => {
    expect(parseBenchFlags([]).certKey).toBe('ec');
    expect(parseBenchFlags(['--cert-key=rsa']).certKey).toBe('rsa');
    expect(() => parseBenchFlags(['--cert-key=dsa'])).toThrow('--cert-key: "dsa" is not ec or rsa');
  });

  it('picks the node this exporter runs on by itself unless --exporter-node names one', () => {
    expect(parseBenchFlags([]).exporterNode).toBe('auto');
    expect(parseBenchFlags(['--exporter-node=/opt/node22/bin/node']).exporterNode).toBe('/opt/node22/bin/node');
  });

  it('reads the versions of the node the exporter will run on', () => {
    const runtime = exporterRuntime(process.execPath);
    expect(runtime).toEqual({ path: process.execPath, node: process.version, openssl: process.versions.openssl });
  });

  it('names the flag when the path is not a working node', () => {
    expect(() => exporterRuntime('/nonexistent/node')).toThrow(/--exporter-node: \/nonexistent\/node is not a working node binary/);
    expect(() => exporterRuntime('/bin/true')).toThrow(/--exporter-node: \/bin\/true .*printed ""/);
  });

  it('finds the container image\'s node where npm test keeps it, or says how to get it', () => {
    const cache = mkdtempSync(join(tmpdir(), 'o365-image-node-'));
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = cache;
    try {
      expect(() => exporterRuntime('image')).toThrow(/--exporter-node=image: .*node-v\d+\.\d+\.\d+-linux-\w+\/node is missing: scripts\/install-test-deps.sh/);
      expect(exporterRuntime('auto').path).toBe(process.execPath);
      const dir = join(cache, 'o365-exporter', `node-v${imageNodeVersion()}-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`);
      mkdirSync(dir, { recursive: true });
      symlinkSync(process.execPath, join(dir, 'node'));
      expect(exporterRuntime('image')).toMatchObject({ path: join(dir, 'node'), node: process.version });
      expect(exporterRuntime('auto').path).toBe(join(dir, 'node'));
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('runs the C reference client in the idle cases unless told otherwise', () => {
    expect(parseBenchFlags([]).accuracy.reference).toBe('idle');
    expect(parseBenchFlags(['--accuracy.reference=all']).accuracy.reference).toBe('all');
    expect(parseBenchFlags(['--accuracy.reference=off']).accuracy.reference).toBe('off');
    expect(() => parseBenchFlags(['--accuracy.reference=loaded'])).toThrow(/--accuracy.reference: "loaded" is not idle, all or off/);
  });

  it("times the link from the kernel's hand-over unless told to use the emulator's reads", () => {
    expect(parseBenchFlags([]).linkClock).toBe('kernel');
    expect(parseBenchFlags(['--link-clock=read']).linkClock).toBe('read');
    expect(() => parseBenchFlags(['--link-clock=wall'])).toThrow(/--link-clock: "wall" is not kernel or read/);
  });

  it('lets the idle exporter settle for 20 s before the idle cases (none in a quick run), and names the flag on a bad value', () => {
    expect(parseBenchFlags([]).accuracy.idleWarmupSeconds).toBe(20);
    expect(parseBenchFlags(['--quick']).accuracy.idleWarmupSeconds).toBe(0);
    expect(parseBenchFlags(['--accuracy.idle-warmup=5']).accuracy.idleWarmupSeconds).toBe(5);
    expect(() => parseBenchFlags(['--accuracy.idle-warmup=soon'])).toThrow(/--accuracy.idle-warmup/);
  });

  it('rejects a flag it does not know', () => {
    expect(() => parseBenchFlags(['--exporter-nod=/x'])).toThrow(/exporter-nod/);
  });
});
