/**
 * A probe worker thread: runs the probes the main thread sends it and answers each with
 * its ProbeResult. Probing here keeps the probes' socket events off the main thread, where
 * rendering /metrics for thousands of targets holds the loop for tens of milliseconds,
 * and splits the probes of a busy exporter over as many event loops as there are threads.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../probes/errors.js';
import { runProbe } from '../probes/index.js';
import { EVENT_LOOP_SAMPLING_MS } from '../util/event-loop.js';
import { abortReason, LAG_REPORT_MS, optionsOf, targetOf, type FromWorker, type RunMessage, type ToWorker } from './worker-messages.js';

const port = parentPort;
if (!port) throw new Error('probe-worker.ts runs as a worker thread only');
const running = new Map<number, AbortController>();
const send = (message: FromWorker) => port.postMessage(message);

async function run(message: RunMessage): Promise<void> {
  const controller = new AbortController();
  running.set(message.id, controller);
  try {
    const result = await runProbe(targetOf(message), optionsOf(message), { signal: controller.signal });
    send({ type: 'result', id: message.id, result });
  } catch (err) {
    // Probes never reject; if one does, the main thread turns it into internal_error.
    send({ type: 'failed', id: message.id, message: errorMessage(err) });
  } finally {
    running.delete(message.id);
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message);
  else running.get(message.id)?.abort(abortReason(message));
});

// The probe modules are loaded: the pool may count on this thread.
send({ type: 'ready' });

const lag = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLING_MS });
lag.enable();
setInterval(() => {
  // Nanoseconds, the sampling interval included (as prom-client's nodejs_eventloop_lag_*).
  send({ type: 'lag', p50: lag.percentile(50) / 1e9, p99: lag.percentile(99) / 1e9, max: lag.max / 1e9 });
  lag.reset();
}, LAG_REPORT_MS).unref();
