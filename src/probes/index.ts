/** Runs the probe matching a target's kind. */
import { dnsProbe } from './dns.js';
import { httpProbe } from './http.js';
import { ProbeError } from './result.js';
import type { ProbeResult } from './result.js';
import { runPhases } from './run.js';
import type { ProbeContext, ProbeOptions, ProbeTarget } from './target.js';
import { tcpProbe } from './tcp.js';

export function runProbe(target: ProbeTarget, options: ProbeOptions, ctx: ProbeContext): Promise<ProbeResult> {
  const { spec } = target;
  switch (spec.kind) {
    case 'http':
      return httpProbe({ ...target, spec }, options, ctx);
    case 'tcp':
      return tcpProbe({ ...target, spec }, options, ctx);
    case 'dns':
      return dnsProbe({ ...target, spec }, options, ctx);
    case 'stun':
      return runPhases(options, ctx, async () => {
        throw new ProbeError('udp', 'internal_error', 'stun probe not available');
      });
  }
}
