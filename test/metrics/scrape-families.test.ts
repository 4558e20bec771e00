/** Scrape-time per-target families (src/metrics/scrape-families.ts): prefixes, escaping, constant labels. */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { sampleLine } from '../../src/metrics/exposition.js';
import { createRegistries, renderMetrics, setConstantLabels } from '../../src/metrics/registries.js';
import { ScrapeFamilies } from '../../src/metrics/scrape-families.js';
import { parseExposition, select } from '../helpers/exposition.js';
import { fakeTarget } from '../helpers/targets.js';

function setup(targets: () => ScheduledTarget[]) {
  const registries = createRegistries({ defaultMetrics: false });
  registries.sources.push(new ScrapeFamilies([{
    name: 'o365_test_value', help: 'A test family\nwith a "newline" \\.', type: 'gauge',
    collect(prefixOf, out) {
      targets().forEach((t, i) => out.push(sampleLine('o365_test_value', prefixOf(t), '', i + 0.5)));
    },
  }]));
  return registries;
}

describe('scrape-time families', () => {
  it('escapes hostile names, follows constant labels and reloaded targets, and passes promtool', async () => {
    const hostile = 'a"b\\c\nd} x 1';
    let targets = [fakeTarget(hostile, { service: 'S"1' }), fakeTarget('plain')];
    const registries = setup(() => targets);
    setConstantLabels(registries, { site: 'h"q' });
    let text = (await renderMetrics(registries, false)).body;
    expect(text).toContain('# HELP o365_test_value A test family\\nwith a "newline" \\\\.\n');
    expect(spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }).status).toBe(0);
    let series = parseExposition(text);
    expect(select(series, 'o365_test_value', { target: hostile, service: 'S"1', site: 'h"q' }).map((s) => s.value)).toEqual([0.5]);
    // A reload: new target objects (new service), new constant labels.
    targets = [fakeTarget('plain', { service: 'Teams' })];
    setConstantLabels(registries, { site: 'branch' });
    text = (await renderMetrics(registries, true)).body;
    series = parseExposition(text.replace('# EOF\n', ''));
    expect(series.map((s) => [s.labels.target, s.labels.service, s.labels.site, s.value])).toEqual([['plain', 'Teams', 'branch', 0.5]]);
    expect(text.endsWith('o365_test_value{target="plain",service="Teams",category="Optimize",path="direct",site="branch"} 0.5\n# EOF\n')).toBe(true);
  });
});
