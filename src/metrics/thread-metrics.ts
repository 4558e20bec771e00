/**
 * The probe threads (config `scheduler.probe_threads`): how many, how often one was
 * replaced, and each one's event-loop delay, the figure that says whether probes on it were
 * timed late. Computed at scrape time from what the pool last heard from each thread.
 */
import { Counter, Gauge } from 'prom-client';
import { LAG_REPORT_MS } from '../scheduler/worker-messages.js';
import type { WorkerPool } from '../scheduler/worker-pool.js';
import { EVENT_LOOP_SAMPLING_MS } from '../util/event-loop.js';
import type { Registries } from './registries.js';

const LAG_FIGURES = [
  ['p50', 'o365_exporter_probe_thread_eventloop_lag_p50_seconds', 'Median'],
  ['p99', 'o365_exporter_probe_thread_eventloop_lag_p99_seconds', '99th percentile of the'],
  ['max', 'o365_exporter_probe_thread_eventloop_lag_max_seconds', 'Largest'],
] as const;

export class ThreadMetrics {
  private readonly restarts: Counter;

  constructor(registries: Registries, pool: () => WorkerPool | undefined) {
    const registers = registries.all;
    new Gauge({
      name: 'o365_exporter_probe_threads',
      help: 'Worker threads running probes (0: probes run on the main thread).',
      registers,
      collect() {
        this.set(pool()?.size ?? 0);
      },
    });
    this.restarts = new Counter({ name: 'o365_exporter_probe_thread_restarts_total', help: 'Probe threads that exited unexpectedly and were replaced.', registers });
    for (const [figure, name, text] of LAG_FIGURES) {
      new Gauge({
        name,
        help: `${text} event-loop delay of each probe thread over its last ${LAG_REPORT_MS / 1000} s, sampling interval (${EVENT_LOOP_SAMPLING_MS} ms) included, as nodejs_eventloop_lag_${figure}_seconds.`,
        labelNames: ['thread'],
        registers,
        collect() {
          this.reset();
          for (const [index, lag] of pool()?.lag() ?? []) this.set({ thread: String(index) }, lag[figure]);
        },
      });
    }
  }

  threadRestarted(): void {
    this.restarts.inc();
  }
}
