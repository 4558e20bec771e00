/**
 * Teams UDP relay quality from the STUN probe: every RTT into a histogram and the
 * requests/responses as counters (smokeping style: loss over any window is
 * 1 - increase(responses) / increase(requests)), and gauges about the last round computed
 * in collect() from the ResultStore. Compare with Microsoft's Teams targets: RTT < 100 ms,
 * loss < 1 %, jitter < 30 ms.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import type { ProbeResult } from '../probes/result.js';
import type { ResultObserver, ResultStore, TargetState } from '../scheduler/results.js';
import { LabelSetTracker, TARGET_LABELS, targetLabels } from './labels.js';

/** 5 ms (LAN relay) to 1 s (the round's grace period), dense around the 100 ms target. */
export const UDP_RTT_BUCKETS = [0.005, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.075, 0.1, 0.125, 0.15, 0.2, 0.3, 0.5, 1];

type StunState = TargetState & { last: ProbeResult };

const isStun = (target: ScheduledTarget): boolean => target.target.spec.kind === 'stun';

function stunStates(store: ResultStore): StunState[] {
  return store.all().filter((s): s is StunState => s.last !== undefined && isStun(s.target));
}

export class UdpMetrics implements ResultObserver {
  private readonly rtt: Histogram<string>;
  private readonly requests: Counter<string>;
  private readonly responses: Counter<string>;
  private readonly tracked = new LabelSetTracker();

  constructor(registers: Registry[], store: ResultStore) {
    const labelNames = [...TARGET_LABELS];
    this.rtt = new Histogram({ name: 'o365_udp_rtt_seconds', help: 'Round-trip time of each answered STUN Binding Request.', labelNames, buckets: UDP_RTT_BUCKETS, registers });
    this.requests = new Counter({ name: 'o365_udp_requests_total', help: 'STUN Binding Requests sent.', labelNames, registers });
    this.responses = new Counter({ name: 'o365_udp_responses_total', help: 'Valid STUN Binding responses received in time.', labelNames, registers });
    const gauge = (name: string, help: string, extra: string[], fill: (g: Gauge<string>, s: StunState) => void) =>
      new Gauge({
        name,
        help,
        labelNames: [...labelNames, ...extra],
        registers,
        collect() {
          this.reset();
          for (const state of stunStates(store)) fill(this, state);
        },
      });
    gauge('o365_udp_reachable', 'Whether the last STUN round got at least one answer (1) or none (0).', [], (g, s) => {
      g.set(targetLabels(s.target), (s.last.udp?.received ?? 0) > 0 ? 1 : 0);
    });
    gauge('o365_udp_loss_ratio', 'Share of the last round of STUN requests left unanswered (0-1).', [], (g, s) => {
      const udp = s.last.udp;
      if (udp && udp.sent > 0) g.set(targetLabels(s.target), 1 - udp.received / udp.sent);
    });
    gauge('o365_udp_jitter_seconds', 'RFC 3550 style jitter over the RTTs of the last STUN round.', [], (g, s) => {
      const jitter = s.last.udp?.jitterSeconds;
      if (jitter !== undefined) g.set(targetLabels(s.target), jitter);
    });
    gauge('o365_udp_mapped_address_info', "Public address the STUN server saw for the last round: the site's egress address.", ['mapped_address'], (g, s) => {
      const mapped = s.last.udp?.mappedAddress;
      if (mapped !== undefined) g.set({ ...targetLabels(s.target), mapped_address: mapped }, 1);
    });
  }

  observe(target: ScheduledTarget, result: ProbeResult): void {
    if (!isStun(target)) return;
    const labels = targetLabels(target);
    // Created at 0 even when the round never started (DNS failed), so rates exist from the first round.
    this.requests.inc(labels, result.udp?.sent ?? 0);
    this.responses.inc(labels, result.udp?.received ?? 0);
    for (const rtt of result.udp?.rtts ?? []) this.rtt.observe(labels, rtt);
    this.tracked.add(target.key, this.requests, labels);
    this.tracked.add(target.key, this.responses, labels);
    if (result.udp?.rtts.length) this.tracked.add(target.key, this.rtt, labels);
  }

  forget(target: ScheduledTarget): void {
    this.tracked.removeAll(target.key);
  }
}
