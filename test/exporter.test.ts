import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Exporter } from '../src/exporter.js';
import type { ProbeResult } from '../src/probes/result.js';
import type { Logger } from '../src/util/log.js';

const dir = mkdtempSync(join(tmpdir(), 'o365-exporter-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Counts "config reloaded" lines; never probes the network (a fixed result instead). */
async function startExporter(configFile: string): Promise<{ exporter: Exporter; reloads: () => number }> {
  let reloads = 0;
  const logger: Logger = { debug() {}, warn() {}, error() {}, info: (msg) => void (msg === 'config reloaded' && reloads++) };
  const result: ProbeResult = { success: true, startedAt: Date.now(), durationSeconds: 0.001, phases: { connect: 0.001 } };
  const exporter = await Exporter.start({ configFile, logger, storagePath: dir, runProbe: async () => result });
  return { exporter, reloads: () => reloads };
}

const configWith = (names: string[]) => `targets:\n${names.map((n) => `  - {name: ${n}, tcp: "127.0.0.1:9"}`).join('\n')}\n`;

describe('Exporter.reload', () => {
  it('folds requests made before a reload starts into that one reload (a SIGHUP storm)', async () => {
    const file = join(dir, 'storm.yml');
    writeFileSync(file, configWith(['a']));
    const { exporter, reloads } = await startExporter(file);
    try {
      writeFileSync(file, configWith(['a', 'b']));
      const outcomes = await Promise.all(Array.from({ length: 10 }, () => exporter.reload()));
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(reloads()).toBe(1);
      expect(exporter.scheduler.targets.map((t) => t.name).sort()).toEqual(['a', 'b']);
    } finally {
      await exporter.stop();
    }
  });

  it('runs a reload asked for while one runs after it, reading the file as it is then', async () => {
    const file = join(dir, 'latest.yml');
    writeFileSync(file, configWith(['a']));
    const { exporter, reloads } = await startExporter(file);
    try {
      writeFileSync(file, configWith(['b']));
      const first = exporter.reload();
      await Promise.resolve(); // the first reload has started (it waits on the file read)
      const second = exporter.reload();
      const third = exporter.reload();
      expect(second).not.toBe(first);
      expect(third).toBe(second);
      writeFileSync(file, configWith(['c']));
      await Promise.all([first, second]);
      expect(reloads()).toBe(2);
      expect(exporter.scheduler.targets.map((t) => t.name)).toEqual(['c']);
      expect(await exporter.reload()).toEqual({ ok: true });
    } finally {
      await exporter.stop();
    }
  });
});
