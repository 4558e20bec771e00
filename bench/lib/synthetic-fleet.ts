/**
 * A fleet of HTTPS targets and plausible results for the in-process measures
 * (scrape-render.ts, rss-sim.ts): no sockets, only what the metrics and the store see.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProbeResult } from '../../src/probes/result.js';

/** Writes a config of `targets` targets at `interval` into a new temp dir; returns the dir. */
export function writeFleetConfig(prefix: string, targets: number, interval: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const lines = ['defaults:', `  interval: ${interval}`, 'labels: { site: bench }', 'targets:'];
  for (let i = 0; i < targets; i++) lines.push(`  - { name: t${String(i).padStart(5, '0')}, url: "https://127.1.${i >> 8}.${i & 255}:8443/" }`);
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  return dir;
}

/** A successful HTTPS result whose timings vary with `seed` (so rendered values change). */
export function syntheticResult(seed: number, startedAt: number): ProbeResult {
  const r = (x: number) => x * (1 + (seed % 97) / 100);
  return {
    success: true, startedAt, durationSeconds: r(0.12), address: '127.1.0.1',
    phases: { connect: r(0.011), tls: r(0.025), first_byte: r(0.06), transfer: r(0.002) },
    http: { statusCode: 200, httpVersion: '1.1', headers: { server: 'bench' }, bodyBytes: 10 },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'CN=x', issuer: 'CN=Bench CA', notAfter: 1_800_000_000, notBefore: 1_700_000_000, fingerprint256: 'aa' }] },
  } as unknown as ProbeResult;
}
