import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Gauge } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createRegistries, renderMetrics, renderMetricsBytes } from '../../src/metrics/registries.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Live JS heap (the rendered text lives there; the sent Buffer is off-heap). */
function liveHeap(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('renderMetrics', () => {
  it('keeps renders in order without holding the last body until the next scrape', async () => {
    const warmUp = createRegistries({ defaultMetrics: false });
    new Gauge({ name: 'o365_test_small', help: 'Warms up the render code.', registers: warmUp.all }).set(1);
    await renderMetricsBytes(warmUp, false);
    const registries = createRegistries({ defaultMetrics: false });
    const gauge = new Gauge({ name: 'o365_test_big', help: 'A big family.', labelNames: ['n'], registers: registries.all });
    // A body (~4 MB) far bigger than the heap's noise, built anew by each render.
    for (let i = 0; i < 4_000; i++) gauge.set({ n: `series-${i}-${'p'.repeat(1_000)}` }, i);
    const before = liveHeap();
    const size = await renderMetrics(registries, false).then((r) => r.body.length);
    await new Promise((resolve) => setImmediate(resolve));
    const after = liveHeap();
    expect(size).toBeGreaterThan(4_000_000);
    // Held, the text and its pieces would be about twice its size.
    expect(after - before).toBeLessThan(size);
    expect((await renderMetrics(registries, true)).body.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('collects the default metrics once, rendered in both formats from the same objects', async () => {
    const registries = createRegistries();
    const lag = registries.prometheus.getSingleMetric('nodejs_eventloop_lag_p99_seconds');
    expect(lag).toBeDefined();
    // One event-loop monitor and one GC observer, not one per format.
    expect(registries.openMetrics.getSingleMetric('nodejs_eventloop_lag_p99_seconds')).toBe(lag);
    expect(registries.openMetrics.getSingleMetric('nodejs_gc_duration_seconds')).toBe(registries.prometheus.getSingleMetric('nodejs_gc_duration_seconds'));
    expect(registries.openMetrics.getSingleMetric('nodejs_active_handles_total')).toBeUndefined();
    const open = (await renderMetrics(registries, true)).body;
    expect(open).toMatch(/^# TYPE process_cpu_seconds counter$/m);
    expect(open).toMatch(/^process_cpu_seconds_total [0-9.e+-]+$/m);
    // The shared counter keeps its Prometheus-format name after an OpenMetrics render.
    expect((await renderMetrics(registries, false)).body).toMatch(/^# TYPE process_cpu_seconds_total counter$/m);
  });
});

