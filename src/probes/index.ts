/** Runs the probe matching a target's kind. */
import { dnsProbe } from './dns.js';
import { httpProbe } from './http.js';
import type { ProbeResult } from './result.js';
import { stunProbe } from './stun.js';
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
      return stunProbe({ ...target, spec }, options, ctx);
  }
}
