/**
 * An exporter whose probe function is a script (no network): for status page tests that
 * need figures local peers cannot produce on demand (Teams UDP loss and jitter, a proxy
 * path, a foreign TLS issuer, a probe still running). The scheduler, store and HTTP server
 * are the real ones.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Exporter } from '../../src/exporter.js';
import type { ProbeResult } from '../../src/probes/result.js';
import type { RunProbe } from '../../src/scheduler/scheduler.js';
import { startInProcessExporter } from './in-process-exporter.js';

export const STUB_CONFIG = `defaults: {interval: 1h, timeout: 5s}
proxies: [{name: corp, url: "http://proxy.invalid:3128"}]
targets:
  - {name: relay, stun: "relay.invalid:3478", service: Teams, category: Optimize}
  - {name: mail, url: "https://mail.invalid/owa/", service: Exchange, category: Optimize, via: [direct, corp]}
  # Still running for as long as a test looks, however busy the machine: not aborted at 5 s.
  - {name: slow, url: "https://slow.invalid/", service: Common, timeout: 10m}
`;

/** Figures per target; `slow` never answers until aborted. */
export const stubProbe: RunProbe = (target, options, { signal }) => {
  const base = { success: true, startedAt: Date.now(), durationSeconds: 0.05 };
  if (target.name === 'relay') {
    return Promise.resolve<ProbeResult>({ ...base, phases: { dns: 0.004, udp: 0.12 }, udp: { sent: 10, received: 8, rtts: [0.11, 0.12, 0.13, 0.12, 0.14, 0.12, 0.12, 0.15], jitterSeconds: 0.035, mappedAddress: '203.0.113.7' } });
  }
  if (target.name === 'mail') {
    const viaProxy = options.proxy !== undefined;
    return Promise.resolve<ProbeResult>({
      ...base,
      phases: viaProxy ? { dns: 0.002, connect: 0.001, proxy_connect: 0.09, tls: 0.03, first_byte: 0.05 } : { dns: 0.15, connect: 0.04, tls: 0.03, first_byte: 0.05 },
      http: { statusCode: 200, httpVersion: '1.1', headers: { 'x-msedge-ref': 'Ref A: 1 Ref B: AMS21EDGE0101 Ref C: 2024-01-01T00:00:00Z' }, bodyBytes: 10 },
      tls: { version: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', alpn: 'http/1.1', authorized: true, chain: [{ subject: 'mail.invalid', issuer: 'Corporate Inspection CA', notAfter: 2e9, notBefore: 1e9, fingerprint256: 'AA' }] },
    });
  }
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ ...base, success: false, phases: {}, failure: { phase: 'dns', reason: 'aborted', message: 'aborted' } }), { once: true }));
};

export interface StubExporter {
  exporter: Exporter;
  base: string;
  stop(): Promise<void>;
}

export async function startStubExporter(): Promise<StubExporter> {
  const dir = mkdtempSync(join(tmpdir(), 'o365-stub-'));
  writeFileSync(join(dir, 'config.yml'), STUB_CONFIG);
  try {
    const running = await startInProcessExporter(join(dir, 'config.yml'), stubProbe);
    return {
      ...running,
      stop: async () => {
        await running.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
