/**
 * docs/deployment.md's examples work: the Prometheus federation and remote-write configs pass
 * `promtool check config`, and the multi-site values files render with the chart.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CHART, ROOT, configYaml, helm, parseManifests, workload } from '../helpers/helm.js';

const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'deployment.md'), 'utf8');
const YAML_BLOCKS = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);

function block(marker: string): string {
  const found = YAML_BLOCKS.find((b) => b.includes(marker));
  if (!found) throw new Error(`docs/deployment.md has no yaml block with ${marker}`);
  return found;
}

describe('docs/deployment.md examples', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'o365-deploy-doc-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it.each(['job_name: federate-o365', 'remote_write:'])('has a Prometheus config (%s) that promtool accepts', (marker) => {
    const file = path.join(tmp, 'prometheus.yml');
    fs.writeFileSync(file, block(marker));
    const check = spawnSync('promtool', ['check', 'config', file], { encoding: 'utf8' });
    if (check.error) throw new Error(`promtool did not run (Debian package prometheus): ${check.error.message}`);
    expect(check.stdout + check.stderr).toMatch(/SUCCESS/);
    expect(check.status).toBe(0);
  });

  it('has multi-site values files that render one site each, site label in the config', async () => {
    const files = block('# values/common.yaml')
      .split(/^---\n/m)
      .map((text) => ({ name: /^# (values\/[\w.-]+\.yaml)/.exec(text)?.[1] ?? '', text }));
    expect(files.map((f) => f.name)).toEqual(['values/common.yaml', 'values/site-amsterdam.yaml', 'values/site-branch-042.yaml']);
    for (const f of files) fs.writeFileSync(path.join(tmp, path.basename(f.name)), f.text);
    for (const [site, kind] of [['amsterdam', 'Deployment'], ['branch-042', 'DaemonSet']] as const) {
      const args = ['template', `o365-${site}`, CHART, '-n', 'monitoring', '-f', path.join(tmp, 'common.yaml'), '-f', path.join(tmp, `site-${site}.yaml`)];
      const result = await helm(args);
      expect(result.code, result.stderr).toBe(0);
      const objects = parseManifests(result.stdout);
      expect(workload(objects).kind).toBe(kind);
      const config = parse(configYaml(objects)) as { labels: Record<string, string>; targets: unknown[]; tenant: string };
      expect(config.labels.site).toBe(site);
      expect(config.tenant).toBe('contoso');
      expect(config.targets).toHaveLength(3);
    }
  });
});
