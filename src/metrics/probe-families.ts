/**
 * The per-target probe families and the sample lines one target contributes to each, given
 * its label prefix (target labels and constant labels, already escaped), its last result and
 * its counters. Rendered by hand (probe-series.ts) because prom-client hashes every series'
 * labels at each scrape: ~11 us a series, over 1 s at 5,000 targets.
 */
import type { ProbeResult } from '../probes/result.js';
import { extraLabels, sampleLine as line, type FamilyType } from './exposition.js';

export interface ProbeCounts {
  probes: number;
  /** Failures by `phase="..",reason=".."` label pairs (escaped). */
  failures: Map<string, number>;
}

export interface ProbeFamily {
  name: string;
  help: string;
  type: FamilyType;
  /** This target's lines ("" for none); `last` is undefined before a result is stored. */
  lines(prefix: string, last: ProbeResult | undefined, counts: ProbeCounts): string;
}

/** A family with at most one series per target, from the last result. */
function lastValue(name: string, help: string, value: (r: ProbeResult) => number | undefined): ProbeFamily {
  return {
    name,
    help,
    type: 'gauge',
    lines(prefix, last) {
      const v = last ? value(last) : undefined;
      return v === undefined ? '' : line(name, prefix, '', v);
    },
  };
}

/** An _info family (value 1) with one series when `labels` gives some. */
function info(name: string, help: string, labels: (r: ProbeResult) => Record<string, string> | undefined): ProbeFamily {
  return {
    name,
    help,
    type: 'gauge',
    lines(prefix, last) {
      const l = last ? labels(last) : undefined;
      return l ? line(name, prefix, extraLabels(l), 1) : '';
    },
  };
}

function earliestExpiry(r: ProbeResult): number | undefined {
  const chain = r.tls?.chain ?? [];
  return chain.length ? Math.min(...chain.map((c) => c.notAfter)) : undefined;
}

/** In the order prom-client rendered them before, with the same names and help. */
export const PROBE_FAMILIES: readonly ProbeFamily[] = [
  {
    name: 'o365_probes_total',
    help: 'Probes run.',
    type: 'counter',
    lines: (prefix, _last, counts) => line('o365_probes_total', prefix, '', counts.probes),
  },
  {
    name: 'o365_probe_failures_total',
    help: 'Failed probes by the phase that failed and the reason.',
    type: 'counter',
    lines(prefix, _last, counts) {
      let out = '';
      for (const [pairs, n] of counts.failures) out += line('o365_probe_failures_total', prefix, `,${pairs}`, n);
      return out;
    },
  },
  lastValue('o365_probe_success', 'Whether the last probe succeeded (1) or not (0).', (r) => (r.success ? 1 : 0)),
  lastValue('o365_probe_duration_seconds', 'Duration of the last probe, all phases.', (r) => r.durationSeconds),
  lastValue('o365_probe_timestamp_seconds', 'When the last probe started.', (r) => r.startedAt / 1000),
  {
    name: 'o365_probe_phase_seconds',
    help: 'Duration of each phase of the last probe; a phase not reached has no series.',
    type: 'gauge',
    lines(prefix, last) {
      let out = '';
      for (const [phase, seconds] of Object.entries(last?.phases ?? {})) {
        if (typeof seconds === 'number') out += line('o365_probe_phase_seconds', prefix, extraLabels({ phase }), seconds);
      }
      return out;
    },
  },
  lastValue('o365_http_status_code', 'HTTP status code of the last probe.', (r) => r.http?.statusCode),
  lastValue('o365_tls_cert_expiry_timestamp_seconds', 'Earliest not-after of the certificates the server sent.', earliestExpiry),
  info('o365_tls_info', 'TLS version, cipher and leaf issuer of the last handshake.', (r) =>
    r.tls ? { version: r.tls.version, cipher: r.tls.cipher, issuer: r.tls.chain[0]?.issuer ?? '' } : undefined),
  info('o365_dns_answer_info', 'Last name of the CNAME chain of the last DNS answer.', (r) =>
    r.dns ? { cname_tail: r.dns.cnames.at(-1) ?? '' } : undefined),
];
