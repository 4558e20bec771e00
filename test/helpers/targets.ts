/** Synthetic ScheduledTargets and ProbeResults for scheduler and metrics tests (no network). */
import type { ScheduledTarget } from '../../src/config/targets.js';
import type { ProbeResult } from '../../src/probes/result.js';

export function fakeTarget(name: string, overrides: Partial<ScheduledTarget> & { timeoutSeconds?: number } = {}): ScheduledTarget {
  const { timeoutSeconds = 5, ...rest } = overrides;
  const path = rest.path ?? 'direct';
  return {
    key: `${name}|${path}`,
    name,
    service: 'Exchange',
    category: 'Optimize',
    path,
    intervalSeconds: 30,
    target: { name, spec: { kind: 'tcp', host: `${name}.example`, port: 443 } },
    options: {
      timeoutSeconds,
      ipVersion: 'prefer_ipv4',
      resolvers: [],
      tls: { insecureSkipVerify: false },
      http: { maxBodyBytes: 1 << 20, maxHeaderBytes: 1 << 16 },
    },
    source: 'config',
    ...rest,
  };
}

export function okResult(overrides: Partial<ProbeResult> = {}): ProbeResult {
  return {
    success: true,
    startedAt: Date.now(),
    durationSeconds: 0.123,
    phases: { dns: 0.004, connect: 0.011, tls: 0.025, first_byte: 0.06, transfer: 0.023 },
    ...overrides,
  };
}

export function failedResult(phase: NonNullable<ProbeResult['failure']>['phase'], reason: NonNullable<ProbeResult['failure']>['reason'], phases: ProbeResult['phases']): ProbeResult {
  return { success: false, startedAt: Date.now(), durationSeconds: 0.05, phases, failure: { phase, reason, message: `${phase} failed: ${reason}` } };
}
