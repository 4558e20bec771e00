/**
 * The rules files pass `promtool check rules` and their unit tests (`promtool test rules`),
 * every alert has a firing and a quiet unit test, and the labels and annotations a NOC relies
 * on: severity, summary, description, runbook_url pointing at an existing runbook.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RULE_FILES, loadRules } from '../dashboards/promql.js';
import { REPO_ROOT } from '../helpers/process.js';

const run = promisify(execFile);
const TEST_DIR = join(REPO_ROOT, 'rules', 'tests');
const TEST_FILES = readdirSync(TEST_DIR).filter((f) => f.endsWith('.test.yml')).map((f) => join(TEST_DIR, f));
const rules = loadRules();
const alerts = rules.filter((r) => r.kind === 'alert');
const RUNBOOK_DIR = join(REPO_ROOT, 'docs', 'runbooks');
/** The base every runbook_url shares (see docs/runbooks/README.md): taken from the first alert. */
const RUNBOOK_BASE = (alerts[0]?.annotations.runbook_url ?? '').replace(/[^/]+\.md$/, '');

interface AlertTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: unknown[];
}
interface PromtoolTests {
  rule_files: string[];
  tests: { name?: string; alert_rule_test?: AlertTest[] }[];
}

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('promtool', args, { cwd: REPO_ROOT });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('promtool', () => {
  it('check rules accepts both files', async () => {
    const { code, output } = await promtool(['check', 'rules', ...RULE_FILES]);
    expect(output).toMatch(/SUCCESS: \d+ rules found/);
    expect(code, output).toBe(0);
  });

  it('test rules passes every unit test', async () => {
    const { code, output } = await promtool(['test', 'rules', ...TEST_FILES]);
    expect(code, output).toBe(0);
    expect(output.match(/SUCCESS/g)?.length).toBe(TEST_FILES.length);
  }, 180_000); // about 5 s on an idle machine; the week-baseline cases evaluate every rule 180 times

  it('check rules rejects a broken file (so the checks above can fail)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'o365-rules-'));
    try {
      const bad = join(dir, 'bad.yml');
      writeFileSync(bad, readFileSync(RULE_FILES[0] ?? '', 'utf8').replace('o365_probe_success == 0', 'o365_probe_success == == 0'));
      const { code, output } = await promtool(['check', 'rules', bad]);
      expect(code).not.toBe(0);
      expect(output).toMatch(/parse error|unexpected/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('unit test coverage', () => {
  const suites = TEST_FILES.map((f) => parseYaml(readFileSync(f, 'utf8')) as PromtoolTests);
  const cases = suites.flatMap((s) => s.tests.flatMap((t) => t.alert_rule_test ?? []));

  it('the unit tests load the shipped rules files', () => {
    for (const s of suites) for (const f of s.rule_files) expect(RULE_FILES).toContain(join(TEST_DIR, f));
  });

  it.each(alerts.map((a) => [a.name] as const))('%s has a firing case and a quiet case', (name) => {
    const mine = cases.filter((c) => c.alertname === name);
    expect(mine.filter((c) => (c.exp_alerts ?? []).length > 0).length, `${name} firing`).toBeGreaterThan(0);
    expect(mine.filter((c) => (c.exp_alerts ?? []).length === 0).length, `${name} quiet`).toBeGreaterThan(0);
  });

  it('no unit test names an alert that does not exist', () => {
    const names = new Set(alerts.map((a) => a.name));
    expect(cases.map((c) => c.alertname).filter((n) => !names.has(n))).toEqual([]);
  });
});

describe('alert metadata', () => {
  it('covers the alerts the NOC asked for', () => {
    expect(alerts.map((a) => a.name)).toEqual(expect.arrayContaining([
      'O365TargetDown', 'O365ServiceDown', 'O365ExchangeConnectSlow', 'O365TeamsUdpRttHigh', 'O365TeamsUdpJitterHigh', 'O365TeamsUdpLossHigh',
      'O365LatencyAboveBaseline', 'O365DNSSlow', 'O365TLSInterceptionDetected', 'O365CertificateExpiringSoon', 'O365FrontDoorFar',
      'O365ProxySlowerThanDirect', 'O365EndpointsChanged', 'O365EndpointsDiscoveryFailing', 'O365ExporterDown', 'O365ConfigReloadFailed',
    ]));
    expect(new Set(alerts.map((a) => a.name)).size).toBe(alerts.length);
  });

  it.each(alerts.map((a) => [a.name, a] as const))('%s has severity, summary, description and a runbook that exists', (name, a) => {
    expect(['critical', 'warning', 'info']).toContain(a.labels.severity);
    expect(a.annotations.summary?.length).toBeGreaterThan(10);
    expect(a.annotations.description?.length).toBeGreaterThan(40);
    expect(a.annotations.runbook_url).toBe(`${RUNBOOK_BASE}${name}.md`);
    const runbook = join(RUNBOOK_DIR, `${name}.md`);
    expect(existsSync(runbook), runbook).toBe(true);
    expect(readFileSync(runbook, 'utf8')).toMatch(new RegExp(`^# ${name}\\n[\\s\\S]*## Meaning[\\s\\S]*## Diagnosis[\\s\\S]*## Action`));
  });

  it('every runbook belongs to an alert, and the README lists them all', () => {
    const names = new Set(alerts.map((a) => a.name));
    const books = readdirSync(RUNBOOK_DIR).filter((f) => f !== 'README.md').map((f) => f.replace(/\.md$/, ''));
    expect(books.filter((b) => !names.has(b))).toEqual([]);
    const readme = readFileSync(join(RUNBOOK_DIR, 'README.md'), 'utf8');
    for (const n of names) expect(readme).toContain(`[${n}](${n}.md)`);
    expect(readme).toContain(RUNBOOK_BASE);
  });

  it('alerts with a `for` use one that a single failed scrape cannot satisfy', () => {
    for (const a of alerts.filter((x) => x.for)) expect(a.for, a.name).toMatch(/^\d+[mh]$/);
  });
});
