/**
 * Background load for blackbox_exporter, which has no scheduler of its own: the harness
 * plays Prometheus and asks /probe for each of `targets` once per interval, spread evenly,
 * as this exporter's scheduler does for its configured targets.
 */
import type { Exporter } from './exporters.js';
import { probe } from './exporters.js';

export interface LoadStats {
  sent: number;
  ok: number;
  failed: number;
  /** Requests not sent because too many were still running (the exporter fell behind). */
  skipped: number;
}

export function startProbeLoad(exporter: Exporter, module: string, targets: string[], intervalSeconds: number, maxInFlight = 64): { stop(): Promise<LoadStats> } {
  const stats: LoadStats = { sent: 0, ok: 0, failed: 0, skipped: 0 };
  const running = new Set<Promise<void>>();
  const spacingMs = (intervalSeconds * 1000) / Math.max(1, targets.length);
  const startedAt = Date.now();
  let next = 0;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    // Catch up on every slot due by now (timers fire late under load), one request each.
    while (startedAt + next * spacingMs <= Date.now()) {
      const target = targets[next % targets.length] as string;
      next++;
      if (running.size >= maxInFlight) {
        stats.skipped++;
        continue;
      }
      stats.sent++;
      const p = probe(exporter, target, module).then((r) => void (r.success ? stats.ok++ : stats.failed++));
      running.add(p);
      void p.finally(() => running.delete(p));
    }
    timer = setTimeout(tick, Math.max(1, startedAt + next * spacingMs - Date.now()));
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...running]);
      return stats;
    },
  };
}
