/**
 * Fault matrix, config: a missing file, a YAML syntax error, an unknown key, a bad duration
 * and duplicate target names. At start: exit code 1 and one error line naming the file,
 * the line and the problem. On reload (POST /-/reload): 500 with the error, the running
 * config kept (targets still probed), o365_exporter_config_last_reload_successful 0, and a
 * good file afterwards is taken again.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { valueOf } from '../helpers/exposition.js';
import { SCRAPE_BOUND_MS } from '../helpers/fault-assert.js';
import { FaultGroup, HEALTHY, configYaml, type GroupSpec } from '../helpers/fault-harness.js';
import { startHealthyHttps } from '../helpers/fault-peers.js';
import { makePki, type Pki } from '../helpers/pki.js';
import { runMain, tempDir, type ExitStatus } from '../helpers/process.js';
import type { TestServer } from '../helpers/servers.js';
import type { TimedAnswer } from '../helpers/timed-http.js';

interface BadConfig {
  name: string;
  /** File content; undefined: the file does not exist. */
  text?: string;
  /** What the error must say, after `<file>:`. */
  message: RegExp;
}

const BAD: BadConfig[] = [
  { name: 'missing file', message: /cannot read file: ENOENT/ },
  { name: 'YAML syntax error', text: 'defaults: {interval: 1s\ntargets: []\n', message: /:2: YAML: Flow map/ },
  { name: 'unknown key', text: 'defaults: {interval: 1s, colour: blue}\n', message: /:1: defaults: unknown key "colour"/ },
  { name: 'bad duration', text: 'defaults: {interval: 5 minutes}\n', message: /:1: defaults\.interval: invalid duration "5 minutes"/ },
  {
    name: 'duplicate target names',
    text: 'targets:\n  - {name: twin, tcp: "127.0.0.1:1"}\n  - {name: twin, tcp: "127.0.0.1:2"}\n',
    message: /:3: targets\[1\]\.name: duplicate target name "twin" \(also targets\[0\]\)/,
  },
];

interface StartOutcome {
  file: string;
  status: ExitStatus;
  stderr: string;
}

interface ReloadOutcome {
  answer: TimedAnswer;
  lastReloadOk?: number;
  configTargets?: number;
  healthyRunsAfter: number;
}

const tmp = tempDir('o365-faults-config-');
const starts = new Map<string, StartOutcome>();
const reloads = new Map<string, ReloadOutcome>();
let restored: { answer: TimedAnswer; lastReloadOk?: number } | undefined;
let pki: Pki | undefined;
let healthy: TestServer | undefined;
let group: FaultGroup | undefined;

function writeBad(file: string, bad: BadConfig): void {
  if (bad.text === undefined) rmSync(file, { force: true });
  else writeFileSync(file, bad.text);
}

async function startWith(bad: BadConfig, index: number): Promise<void> {
  const file = join(tmp.dir, `start-${index}.yml`);
  writeBad(file, bad);
  const proc = runMain([`--config.file=${file}`, '--web.listen-address=127.0.0.1:0']);
  // It must exit by itself; the kill only keeps a hung process from outliving the test.
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 30_000);
  const status = await proc.exited.finally(() => clearTimeout(timer));
  starts.set(bad.name, { file, status, stderr: proc.stderr() });
}

/** Breaks the file, POSTs /-/reload, then checks the healthy target is still probed. */
async function reloadWith(g: FaultGroup, bad: BadConfig): Promise<void> {
  writeBad(g.exporter.configFile, bad);
  const answer = await g.client.post('/-/reload');
  const { series } = await g.scrape();
  const runs = valueOf(series, 'o365_probes_total', { target: HEALTHY }) ?? 0;
  let later = series;
  const deadline = performance.now() + 10_000;
  while ((valueOf(later, 'o365_probes_total', { target: HEALTHY }) ?? 0) < runs + 1 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    later = (await g.scrape()).series;
  }
  reloads.set(bad.name, {
    answer,
    lastReloadOk: valueOf(later, 'o365_exporter_config_last_reload_successful'),
    configTargets: valueOf(later, 'o365_exporter_targets', { source: 'config' }),
    healthyRunsAfter: (valueOf(later, 'o365_probes_total', { target: HEALTHY }) ?? 0) - runs,
  });
}

beforeAll(async () => {
  pki = makePki();
  const peer = await startHealthyHttps(pki, tmp.dir);
  healthy = peer.server;
  const spec: GroupSpec = { healthy: peer.yaml, cases: [] };
  const g = await FaultGroup.start(spec);
  group = g;
  // Start failures are independent short-lived processes: run them side by side.
  await Promise.all(BAD.map((bad, i) => startWith(bad, i)));
  for (const bad of BAD) await reloadWith(g, bad);
  writeFileSync(g.exporter.configFile, configYaml(spec, false));
  const answer = await g.client.post('/-/reload');
  restored = { answer, lastReloadOk: valueOf((await g.scrape()).series, 'o365_exporter_config_last_reload_successful') };
}, 120_000);

afterAll(async () => {
  await group?.stop();
  await healthy?.close();
  pki?.cleanup();
  tmp.cleanup();
});

describe('fault matrix: config at start', () => {
  it.each(BAD)('$name: exit 1 with one error line naming file, line and problem', (bad) => {
    const outcome = starts.get(bad.name) as StartOutcome;
    expect(outcome.status).toEqual({ code: 1, signal: null });
    const lines = outcome.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/level=error msg="invalid config, not starting"/);
    const error = JSON.parse(/ error=("(?:[^"\\]|\\.)*")/.exec(lines[0] ?? '')?.[1] ?? '""') as string;
    expect(error).toContain(`invalid config ${outcome.file}:`);
    expect(error).toMatch(bad.message);
  });
});

describe('fault matrix: config on reload', () => {
  it.each(BAD)('$name: 500 with the error, old config kept, last reload unsuccessful', (bad) => {
    const outcome = reloads.get(bad.name) as ReloadOutcome;
    expect(outcome.answer.status).toBe(500);
    expect(outcome.answer.body).toMatch(/^failed to reload config: invalid config /);
    expect(outcome.answer.body).toMatch(bad.message);
    expect(outcome.lastReloadOk).toBe(0);
    expect(outcome.configTargets).toBe(1);
    expect(outcome.healthyRunsAfter).toBeGreaterThanOrEqual(1);
  });

  it('a good file afterwards is taken: 200, last reload successful again', () => {
    expect(restored?.answer.status).toBe(200);
    expect(restored?.lastReloadOk).toBe(1);
  });

  it(`answers every /metrics scrape within ${SCRAPE_BOUND_MS} ms and stays up`, () => {
    console.log(`[faults] config: ${group?.scrapes.length} scrapes, slowest ${group?.maxScrapeMs().toFixed(0)} ms`);
    expect(group?.maxScrapeMs()).toBeLessThan(SCRAPE_BOUND_MS);
    expect(group?.exporter.child.exitCode).toBeNull();
  });
});
