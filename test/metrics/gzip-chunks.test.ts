/**
 * gzip bodies joined from separately deflated pieces (src/metrics/gzip-chunks.ts): what
 * zlib and the gzip tool read back is exactly the plain body, for mixed chunks and for a
 * real render whose cached lines were deflated by the idle pass.
 */
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { chunksToBuffer } from '../../src/metrics/chunks.js';
import type { Chunk } from '../../src/metrics/exposition.js';
import { deflateSegment, gzipChunks } from '../../src/metrics/gzip-chunks.js';
import { ProbeMetrics } from '../../src/metrics/probe-metrics.js';
import { createRegistries, renderMetricsBytes, renderMetricsGzip, setConstantLabels } from '../../src/metrics/registries.js';
import { ResultStore } from '../../src/scheduler/results.js';
import { fakeTarget, okResult } from '../helpers/targets.js';

/** What the gzip command line tool decompresses (an implementation other than Node's). */
function gzipTool(body: Buffer): Buffer {
  const out = spawnSync('gzip', ['-dc'], { input: body, maxBuffer: 1 << 26 });
  expect(out.stderr.toString()).toBe('');
  expect(out.status).toBe(0);
  return out.stdout;
}

describe('gzip from deflated pieces', () => {
  it('reads back as the plain body with text, bytes, pre-deflated segments and empty pieces', () => {
    const bytes = Buffer.from('b{x="Zürich ☃"} 1\n'.repeat(500));
    const segment = Buffer.from('seg{t="😀"} 2\n'.repeat(3000));
    let deflations = 0;
    const chunks: Chunk[] = [
      '# HELP a A\n', '', 'a 1\n', bytes, new Uint8Array(0),
      { bytes: segment, deflated: () => (deflations++, deflateSegment(segment)) },
      { bytes: new Uint8Array(0), deflated: () => (deflations++, deflateSegment(new Uint8Array(0))) },
      '# EOF\n',
    ];
    const body = gzipChunks(chunks);
    const plain = chunksToBuffer(chunks);
    expect(gunzipSync(body).equals(plain)).toBe(true);
    expect(gzipTool(body).equals(plain)).toBe(true);
    // Empty pieces add nothing, not even a deflate call.
    expect(deflations).toBe(1);
    expect(body.length).toBeLessThan(plain.length / 5);
    expect(gunzipSync(gzipChunks([])).length).toBe(0);
  });

  it('sends what the plain render sends, in both formats, after the idle pass deflated the cached lines', async () => {
    const registries = createRegistries({ defaultMetrics: false });
    setConstantLabels(registries, { site: 'hq' });
    const store = new ResultStore();
    const metrics = new ProbeMetrics(registries, store);
    const feed = (round: number) => {
      for (let i = 0; i < 200; i++) {
        const t = fakeTarget(`t${i}-é`);
        const r = okResult({ startedAt: 1_700_000_000_000 + round * 15_000 + i });
        store.observe(t, r);
        metrics.observe(t, r);
      }
    };
    feed(0);
    // A first gzip scrape turns on deflating in the idle pass.
    await renderMetricsGzip(registries, false);
    feed(1);
    for (const openMetrics of [false, true]) {
      const zipped = await renderMetricsGzip(registries, openMetrics);
      const plain = await renderMetricsBytes(registries, openMetrics);
      expect(gunzipSync(zipped.body).equals(plain.body)).toBe(true);
      expect(gzipTool(zipped.body).equals(plain.body)).toBe(true);
      expect(zipped.contentType).toBe(plain.contentType);
    }
  });
});
