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
});
