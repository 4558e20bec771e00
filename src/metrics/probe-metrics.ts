/**
 * The core probe series. Gauges about "the last probe" are computed in collect() from the
 * ResultStore, so a removed target's series vanish with it; counters and histograms are
 * updated as each result arrives.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver, ResultStore, TargetState } from '../scheduler/results.js';
import { LabelSetTracker, TARGET_LABELS, targetLabels } from './labels.js';

/** From 1 ms (LAN) to 10 s (a timeout), dense where WAN latency to a front door lives. */
export const PHASE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 2.5, 5, 10];

type GaugeFill = (gauge: Gauge<string>, state: TargetState & { last: ProbeResult }) => void;

export class ProbeMetrics implements ResultObserver {
  private readonly probes: Counter<string>;
  private readonly failures: Counter<string>;
  private readonly phaseHistogram: Histogram<string>;
  private readonly tracked = new LabelSetTracker();

  constructor(registers: Registry[], store: ResultStore) {
    const labelNames = [...TARGET_LABELS];
    this.probes = new Counter({ name: 'o365_probes_total', help: 'Probes run.', labelNames, registers });
    this.failures = new Counter({ name: 'o365_probe_failures_total', help: 'Failed probes by the phase that failed and the reason.', labelNames: [...labelNames, 'phase', 'reason'], registers });
    this.phaseHistogram = new Histogram({ name: 'o365_probe_phase_duration_seconds', help: 'Duration of each probe phase.', labelNames: [...labelNames, 'phase'], buckets: PHASE_BUCKETS, registers });
    const gauge = (name: string, help: string, extra: string[], fill: GaugeFill) =>
      new Gauge({ name, help, labelNames: [...labelNames, ...extra], registers, collect() { fillFromStore(this, store, fill); } });
    gauge('o365_probe_success', 'Whether the last probe succeeded (1) or not (0).', [], (g, s) => g.set(targetLabels(s.target), s.last.success ? 1 : 0));
    gauge('o365_probe_duration_seconds', 'Duration of the last probe, all phases.', [], (g, s) => g.set(targetLabels(s.target), s.last.durationSeconds));
    gauge('o365_probe_timestamp_seconds', 'When the last probe started.', [], (g, s) => g.set(targetLabels(s.target), s.last.startedAt / 1000));
    gauge('o365_probe_phase_seconds', 'Duration of each phase of the last probe; a phase not reached has no series.', ['phase'], (g, s) => {
      for (const [phase, seconds] of Object.entries(s.last.phases)) g.set({ ...targetLabels(s.target), phase }, seconds);
    });
    gauge('o365_http_status_code', 'HTTP status code of the last probe.', [], (g, s) => {
      if (s.last.http) g.set(targetLabels(s.target), s.last.http.statusCode);
    });
    gauge('o365_tls_cert_expiry_timestamp_seconds', 'Earliest not-after of the certificates the server sent.', [], (g, s) => {
      const chain = s.last.tls?.chain ?? [];
      if (chain.length) g.set(targetLabels(s.target), Math.min(...chain.map((c) => c.notAfter)));
    });
    gauge('o365_tls_info', 'TLS version, cipher and leaf issuer of the last handshake.', ['version', 'cipher', 'issuer'], (g, s) => {
      const tls = s.last.tls;
      if (tls) g.set({ ...targetLabels(s.target), version: tls.version, cipher: tls.cipher, issuer: tls.chain[0]?.issuer ?? '' }, 1);
    });
    gauge('o365_dns_answer_info', 'Last name of the CNAME chain of the last DNS answer.', ['cname_tail'], (g, s) => {
      const dns = s.last.dns;
      if (dns) g.set({ ...targetLabels(s.target), cname_tail: dns.cnames.at(-1) ?? '' }, 1);
    });
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    const labels = targetLabels(target);
    this.probes.inc(labels);
    this.tracked.add(target.key, this.probes, labels);
    for (const [phase, seconds] of Object.entries(result.phases)) {
      const phaseLabels = { ...labels, phase };
      this.phaseHistogram.observe(phaseLabels, seconds);
      this.tracked.add(target.key, this.phaseHistogram, phaseLabels);
    }
    if (result.failure) {
      const failureLabels = { ...labels, phase: result.failure.phase, reason: result.failure.reason };
      this.failures.inc(failureLabels);
      this.tracked.add(target.key, this.failures, failureLabels);
    }
  }

  forget(target: ScheduledTarget): void {
    this.tracked.removeAll(target.key);
  }
}

function fillFromStore(gauge: Gauge<string>, store: ResultStore, fill: GaugeFill): void {
  gauge.reset();
  for (const state of store.all()) {
    if (state.last) fill(gauge, state as TargetState & { last: ProbeResult });
  }
}
