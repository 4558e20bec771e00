/**
 * The committed dashboards are exactly what scripts/dashboards generates, and they carry
 * what a NOC needs on first import: stable uids, a Prometheus datasource variable, site /
 * service / target variables, links, units, descriptions and Microsoft's thresholds.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Dashboard, Panel } from '../../scripts/dashboards/grafana.js';
import { allDashboards, render } from '../../scripts/dashboards/index.js';
import { MS } from '../../scripts/dashboards/microsoft.js';
import { UID } from '../../scripts/dashboards/uids.js';
import { REPO_ROOT } from '../helpers/process.js';
import { loadRules } from './promql.js';

const generated = allDashboards();
const panels = (d: Dashboard): Panel[] => d.panels.filter((p): p is Panel => p.type !== 'row');
const find = (d: Dashboard, title: string): Panel => {
  const p = panels(d).find((x) => x.title === title);
  if (!p) throw new Error(`no panel "${title}" in ${d.uid}`);
  return p;
};
const byUid = (uid: string): Dashboard => {
  const d = generated.find((g) => g.dashboard.uid === uid)?.dashboard;
  if (!d) throw new Error(`no dashboard ${uid}`);
  return d;
};

describe('generated dashboards', () => {
  it.each(generated.map((g) => [g.file, g.dashboard] as const))('dashboards/%s equals the generator output', (file, dashboard) => {
    expect(readFileSync(join(REPO_ROOT, 'dashboards', file), 'utf8')).toBe(render(dashboard));
  });

  it('the generator CLI reports no drift (npx tsx scripts/dashboards/generate.ts --check)', () => {
    // Throws (non-zero exit) when a committed file differs.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/dashboards/generate.ts', '--check'], { cwd: REPO_ROOT, stdio: 'pipe' });
  });

  it('has the four dashboards with stable, unique uids', () => {
    expect(generated.map((g) => g.dashboard.uid)).toEqual(['o365-overview', 'o365-target-detail', 'o365-teams-media', 'o365-endpoints-exporter']);
    expect(generated.map((g) => g.file)).toEqual(Object.values(UID).map((u) => u.file));
  });
});

describe.each(generated.map((g) => [g.dashboard.uid, g.dashboard] as const))('dashboard %s', (_uid, d) => {
  it('has a datasource variable of type prometheus that every panel and query uses', () => {
    const ds = d.templating.list.find((v) => v.name === 'datasource');
    expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
    for (const p of panels(d)) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const t of p.targets) expect(t.datasource, `${p.title}/${t.refId}`).toEqual({ type: 'prometheus', uid: '${datasource}' });
    }
  });

  it('has a site variable matching every site with "All", and query variables on the datasource variable', () => {
    const site = d.templating.list.find((v) => v.name === 'site');
    expect(site).toMatchObject({ type: 'query', multi: true, includeAll: true, allValue: '.*' });
    for (const v of d.templating.list) if (v.type === 'query') expect(v.datasource.uid).toBe('${datasource}');
  });

  it('links to the other dashboards of the set, keeping time and variables', () => {
    expect(d.links).toEqual([expect.objectContaining({ type: 'dashboards', tags: ['o365-exporter'], includeVars: true, keepTime: true })]);
    expect(d.tags).toContain('o365-exporter');
  });

  it('gives every panel a description of what a bad value means, and a unit or value mapping where numbers show', () => {
    for (const p of panels(d)) {
      expect(p.description.length, `${p.title} description`).toBeGreaterThan(60);
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      if (['timeseries', 'heatmap', 'barchart', 'bargauge'].includes(p.type)) {
        expect(p.fieldConfig.defaults.unit ?? p.options.yAxis, `${p.title} unit`).toBeDefined();
      }
      if (p.type === 'stat') {
        expect(p.fieldConfig.defaults.unit !== undefined || p.fieldConfig.defaults.mappings !== undefined || p.fieldConfig.defaults.thresholds !== undefined, p.title).toBe(true);
      }
    }
  });

  it('lays panels out on the 24-column grid without overlap, with unique ids', () => {
    const ids = d.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const p of d.panels) {
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), `${p.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});

describe("Microsoft's numbers", () => {
  const steps = (d: string, title: string) => find(byUid(d), title).fieldConfig.defaults.thresholds?.steps.map((s) => s.value);
  const rules = loadRules();
  /** The number an alert compares with: the last `> n` of its expression. */
  const alertThreshold = (name: string): number => {
    const rule = rules.find((r) => r.name === name);
    const all = [...(rule?.expr ?? '').matchAll(/>\s*([\d.]+)/g)];
    return Number(all.at(-1)?.[1]);
  };

  it('are drawn as thresholds on the panels', () => {
    expect(steps('o365-overview', 'Exchange TCP connect, median')).toEqual([null, 0.025, 0.1]);
    expect(steps('o365-overview', 'DNS resolution, median')).toEqual([null, 0.1]);
    expect(steps('o365-overview', 'Front door distance')).toEqual([null, 800]);
    expect(steps('o365-teams-media', 'UDP round trip, median and p90')).toEqual([null, 0.1]);
    expect(steps('o365-teams-media', 'Jitter')).toEqual([null, 0.03]);
    expect(steps('o365-teams-media', 'Packet loss')).toEqual([null, 0.01]);
    expect(steps('o365-teams-media', 'Teams network score')).toEqual([null, 60, 80]);
    expect(find(byUid('o365-teams-media'), 'Jitter').fieldConfig.defaults.custom).toMatchObject({ thresholdsStyle: { mode: 'line+area' } });
  });

  it('are the same in the alerting rules', () => {
    expect(alertThreshold('O365ExchangeConnectSlow')).toBe(MS.exchangeConnectPoorSeconds);
    expect(alertThreshold('O365DNSSlow')).toBe(MS.dnsSeconds);
    expect(alertThreshold('O365FrontDoorFar')).toBe(MS.frontDoorKm);
    expect(alertThreshold('O365TeamsUdpRttHigh')).toBe(MS.teamsRttSeconds);
    expect(alertThreshold('O365TeamsUdpJitterHigh')).toBe(MS.teamsJitterSeconds);
    expect(alertThreshold('O365TeamsUdpLossHigh')).toBe(MS.teamsLossRatio);
  });

  it('come with units: seconds, percent, km', () => {
    expect(find(byUid('o365-overview'), 'Exchange TCP connect, median').fieldConfig.defaults.unit).toBe('s');
    expect(find(byUid('o365-teams-media'), 'Packet loss').fieldConfig.defaults.unit).toBe('percentunit');
    expect(find(byUid('o365-overview'), 'Front door distance').fieldConfig.defaults.unit).toBe('lengthkm');
  });
});

describe('links between dashboards', () => {
  it('lead from the Overview to the Target detail of the clicked target', () => {
    const links = find(byUid('o365-overview'), 'Target health').fieldConfig.defaults.links ?? [];
    expect(links[0]?.url).toMatch(/^\/d\/o365-target-detail\/.*var-target=\$\{__field\.labels\.target\}/);
  });

  it('the Target detail has one target at a time, the Overview any number', () => {
    expect(byUid('o365-target-detail').templating.list.find((v) => v.name === 'target')).toMatchObject({ multi: false, includeAll: false });
    expect(byUid('o365-overview').templating.list.find((v) => v.name === 'target')).toMatchObject({ multi: true, includeAll: true });
  });
});
