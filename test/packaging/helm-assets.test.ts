/**
 * What the chart carries from the rest of the repository, with one source each: the rules
 * (PrometheusRule), the dashboards (ConfigMaps for the Grafana sidecar), the config schema
 * (values.schema.json) and the exporter config it renders (checked by the built exporter).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART, ROOT, configYaml, helm, only, parseManifests, render, template, type K8sObject } from '../helpers/helm.js';

const SYNC = 'run scripts/sync-chart-assets.sh';
/** A private build of the exporter, so this file never rewrites dist/ under another test. */
const BUILD = path.join(ROOT, 'node_modules', '.cache', `o365-helm-test-${process.pid}`);

function sourceFiles(dir: string, ext: string): string[] {
  const full = path.join(ROOT, dir);
  return fs.existsSync(full) ? fs.readdirSync(full).filter((f) => f.endsWith(ext) && fs.statSync(path.join(full, f)).isFile()).sort() : [];
}

function runCheck(configFile: string): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(BUILD, 'src', 'main.js'), '--config.check', `--config.file=${configFile}`], (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout: String(stdout) + String(stderr) });
    });
  });
}

describe('helm chart: one source for rules, dashboards and config', () => {
  let tmp: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'o365-helm-'));
    // Asynchronously: a worker blocked for the minute tsc may take misses vitest's RPC deadline.
    const tsc = [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', BUILD];
    await new Promise<void>((resolve, reject) => {
      execFile(process.execPath, tsc, { cwd: ROOT }, (err, stdout, stderr) => {
        if (err) reject(new Error(`the exporter does not build (tsc -p tsconfig.build.json):\n${stdout}${stderr}`));
        else resolve();
      });
    });
  }, 180_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(BUILD, { recursive: true, force: true });
  });

  it.each([
    ['rules', '.yml', 'files/rules'],
    ['dashboards', '.json', 'files/dashboards'],
  ])(`holds byte-identical copies of %s/*%s (else: ${SYNC})`, (dir, ext, copyDir) => {
    const sources = sourceFiles(dir, ext);
    expect(sources.length, `no ${dir}/*${ext} in the repository`).toBeGreaterThan(0);
    const copies = fs.readdirSync(path.join(CHART, copyDir)).filter((f) => f.endsWith(ext)).sort();
    expect(copies, `${SYNC}: the chart's ${copyDir} lists other files than ${dir}/`).toEqual(sources);
    for (const file of sources) {
      const same = fs.readFileSync(path.join(ROOT, dir, file)).equals(fs.readFileSync(path.join(CHART, copyDir, file)));
      expect(same, `${SYNC}: ${copyDir}/${file} differs from ${dir}/${file}`).toBe(true);
    }
  });

  it(`checks config with the exporter's generated JSON Schema (else: ${SYNC})`, () => {
    const { $schema: _s, title: _t, ...config } = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs', 'config.schema.json'), 'utf8')) as Record<string, unknown>;
    const values = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
    expect(values.properties.config, SYNC).toEqual(config);
  });

  it('finds nothing to sync with scripts/sync-chart-assets.sh --check', () => {
    const check = spawnSync('bash', [path.join(ROOT, 'scripts', 'sync-chart-assets.sh'), '--check'], { encoding: 'utf8' });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it("puts the rules files' groups, in file order, into the PrometheusRule unchanged", async () => {
    const expected = sourceFiles('rules', '.yml').flatMap((f) => (parse(fs.readFileSync(path.join(ROOT, 'rules', f), 'utf8')) as { groups: unknown[] }).groups);
    expect(expected.length).toBeGreaterThan(0);
    const rule = only(await render(['all-options.yaml']), 'PrometheusRule');
    expect(rule.spec?.groups).toEqual(expected);
    expect(JSON.stringify(rule.spec?.groups)).toContain('{{ $labels.');
  });

  it('leaves out disabledGroups and appends extraGroups', async () => {
    const all = sourceFiles('rules', '.yml').flatMap((f) => (parse(fs.readFileSync(path.join(ROOT, 'rules', f), 'utf8')) as { groups: { name: string }[] }).groups);
    const rule = only(await render(['daemonset.yaml']), 'PrometheusRule');
    const names = (rule.spec?.groups as { name: string }[]).map((g) => g.name);
    expect(names).toEqual([...all.map((g) => g.name).filter((n) => n !== 'o365-probes'), 'site-extra']);
  });

  it('renders one ConfigMap per dashboards/*.json, byte for byte, labelled grafana_dashboard: "1"', async () => {
    const objects = await render(['all-options.yaml']);
    const dashboards = objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard !== undefined);
    const files = sourceFiles('dashboards', '.json');
    expect(dashboards).toHaveLength(files.length);
    for (const file of files) {
      const map = dashboards.find((o) => o.data?.[file] !== undefined) as K8sObject;
      expect(map, `no ConfigMap for ${file}`).toBeDefined();
      expect(map.metadata.labels?.grafana_dashboard).toBe('1');
      expect(map.metadata.namespace).toBe('grafana');
      expect(map.metadata.annotations).toEqual({ grafana_folder: 'Microsoft 365' });
      expect(map.data?.[file] === fs.readFileSync(path.join(ROOT, 'dashboards', file), 'utf8'), `${file} changed on the way`).toBe(true);
    }
  });

  it.each([
    ['defaults', []],
    ['all options', ['all-options.yaml']],
    ['DaemonSet', ['daemonset.yaml']],
  ])('renders a config.yml the built exporter accepts with --config.check (%s)', async (name, files) => {
    const file = path.join(tmp, `${name.replace(/\W/g, '-')}.yml`);
    const config = configYaml(await render(files as string[]));
    fs.writeFileSync(file, config);
    const result = await runCheck(file);
    expect(result.stdout).toMatch(/is valid/);
    expect(result.code).toBe(0);
    if (name !== 'defaults') expect(parse(config)).toHaveProperty('labels.site');
  });

  it('renders a config.yml that --config.check rejects when the schema cannot see the problem', async () => {
    // values.schema.json cannot express a cross reference: the exporter still catches it.
    const file = path.join(tmp, 'cross-ref.yml');
    fs.writeFileSync(file, configYaml(await render([], ['config.defaults.via[0]=no-such-proxy'])));
    const result = await runCheck(file);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/unknown path "no-such-proxy"/);
  });

  it('packages with helm package, rules and dashboards inside, rendering the same as the directory', async () => {
    const packaged = await helm(['package', CHART, '--destination', tmp]);
    expect(packaged.code, packaged.stderr).toBe(0);
    const tgz = path.join(tmp, 'o365-exporter-0.2.0.tgz');
    const listing = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' }).split('\n');
    for (const f of sourceFiles('rules', '.yml')) expect(listing).toContain(`o365-exporter/files/rules/${f}`);
    for (const f of sourceFiles('dashboards', '.json')) expect(listing).toContain(`o365-exporter/files/dashboards/${f}`);
    const fromDir = await template(['all-options.yaml']);
    const fromTgz = await helm(['template', 'site-a', tgz, '--namespace', 'o365', '-f', path.join(ROOT, 'test', 'packaging', 'values', 'all-options.yaml')]);
    expect(fromTgz.code, fromTgz.stderr).toBe(0);
    expect(parseManifests(fromTgz.stdout)).toEqual(parseManifests(fromDir.stdout));
  });

  it("keeps the chart's appVersion at the exporter's package.json version", () => {
    const chart = parse(fs.readFileSync(path.join(CHART, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
  });
});
