/**
 * docs/deployment.md's examples work: the Prometheus federation and remote-write configs pass
 * `promtool check config`, the multi-site values files render with the chart, and the web
 * config example (web.yml the exporter accepts, values rendering HTTPS probes and scrapes).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkWebConfig } from '../../src/server/web-config.js';
import { CHART, ROOT, configYaml, helm, only, parseManifests, podSpec, workload } from '../helpers/helm.js';
import { makePki } from '../helpers/pki.js';

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

  it('has a web.yml the exporter accepts with the files beside it, as in the Secret', async () => {
    const pki = makePki();
    try {
      const dir = fs.mkdtempSync(path.join(tmp, 'secret-'));
      fs.writeFileSync(path.join(dir, 'web.yml'), block('# web.yml: the Secret'));
      for (const [name, pem] of [['tls.crt', pki.valid.cert], ['tls.key', pki.valid.key], ['client-ca.crt', pki.ca.cert]] as const) fs.writeFileSync(path.join(dir, name), pem);
      const out: string[] = [];
      expect(await checkWebConfig(path.join(dir, 'web.yml'), (line) => out.push(line)), out.join('\n')).toBe(0);
      expect(out.join('\n')).toMatch(/TLS \(VerifyClientCertIfGiven\), 1 basic auth user/);
    } finally {
      pki.cleanup();
    }
  });

  it('has web config values that render HTTPS probes, the flag and the ServiceMonitor TLS and basic auth', async () => {
    const file = path.join(tmp, 'web-config.yaml');
    fs.writeFileSync(file, block('# values/web-config.yaml'));
    const result = await helm(['template', 'o365-hq', CHART, '-n', 'monitoring', '-f', file]);
    expect(result.code, result.stderr).toBe(0);
    const objects = parseManifests(result.stdout);
    const container = podSpec(workload(objects)).containers[0];
    expect(container?.args).toContain('--web.config.file=/etc/o365-exporter-web/web.yml');
    expect(container?.readinessProbe?.httpGet?.scheme).toBe('HTTPS');
    const endpoint = only(objects, 'ServiceMonitor').spec?.endpoints?.[0];
    expect(endpoint).toMatchObject({ scheme: 'https', tlsConfig: { serverName: 'o365-exporter.monitoring.svc' }, basicAuth: { password: { name: 'o365-scrape', key: 'password' } } });
  });
});
