/**
 * The exporter's own recent results, reduced to what the network assessment score needs
 * (score.ts), per service, over a sliding window (config `diagnostics.score_window`).
 * Exchange: TCP connect seconds of direct probes (through a proxy, connect times the proxy,
 * not Microsoft). Teams: per STUN probe the median RTT, the jitter and the loss ratio.
 * Probes that never connected add no latency sample; their failure shows in probe metrics.
 */
import type { ProbeResult } from '../probes/result.js';
import { SampleBuffer } from './sample-buffer.js';
import { exchangeScore, mean, median, teamsScore } from './score.js';

export const DEFAULT_SCORE_WINDOW_SECONDS = 3 * 86_400;
/** Per buffer: 3 days of one target every 15 s, or of a dozen targets every 3 minutes. */
export const DEFAULT_SCORE_CAPACITY = 20_000;

export type ScoredService = 'Exchange' | 'Teams';

export interface ServiceScore {
  service: ScoredService;
  score: number;
  /** Probes the score is computed from. */
  samples: number;
}

export interface ScoredTarget {
  service: string;
  path: string;
}

export class NetworkScores {
  private windowMs: number;
  private readonly connect: SampleBuffer;
  private readonly rtt: SampleBuffer;
  private readonly jitter: SampleBuffer;
  private readonly loss: SampleBuffer;

  constructor(windowSeconds = DEFAULT_SCORE_WINDOW_SECONDS, capacity = DEFAULT_SCORE_CAPACITY) {
    this.windowMs = windowSeconds * 1000;
    [this.connect, this.rtt, this.jitter, this.loss] = [0, 1, 2, 3].map(() => new SampleBuffer(capacity)) as [SampleBuffer, SampleBuffer, SampleBuffer, SampleBuffer];
  }

  setWindow(seconds: number): void {
    this.windowMs = seconds * 1000;
  }

  observe(target: ScoredTarget, result: ProbeResult): void {
    if (target.path !== 'direct') return;
    const service = target.service.toLowerCase();
    const at = result.startedAt;
    if (service === 'exchange' && result.phases.connect !== undefined) this.connect.push(at, result.phases.connect * 1000);
    if (service === 'teams' && result.udp && result.udp.sent > 0) {
      const { sent, received, rtts, jitterSeconds } = result.udp;
      const rttMs = median(rtts);
      if (rttMs !== undefined) this.rtt.push(at, rttMs * 1000);
      if (jitterSeconds !== undefined) this.jitter.push(at, jitterSeconds * 1000);
      this.loss.push(at, Math.min(1, Math.max(0, 1 - received / sent)));
    }
  }

  /** Scores of the services that have samples in the window. */
  scores(nowMs = Date.now()): ServiceScore[] {
    const since = nowMs - this.windowMs;
    for (const b of [this.connect, this.rtt, this.jitter, this.loss]) b.prune(since);
    const out: ServiceScore[] = [];
    const connectMs = this.connect.valuesSince(since);
    const connectMedian = median(connectMs);
    if (connectMedian !== undefined) out.push({ service: 'Exchange', score: exchangeScore(connectMedian), samples: connectMs.length });
    const loss = this.loss.valuesSince(since);
    const teams = teamsScore({ rttMs: median(this.rtt.valuesSince(since)), jitterMs: median(this.jitter.valuesSince(since)), lossRatio: mean(loss) });
    if (teams !== undefined) out.push({ service: 'Teams', score: teams, samples: loss.length });
    return out;
  }
}
