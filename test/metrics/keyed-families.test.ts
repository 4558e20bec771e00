/**
 * Per-target families rebuilt only when their inputs change (src/metrics/keyed-families.ts):
 * escaping, constant labels, reloaded and removed targets, promtool, and the idle pass that
 * rebuilds changed targets between scrapes.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { ScheduledTarget } from '../../src/config/targets.js';
import { sampleLine } from '../../src/metrics/exposition.js';
import { KeyedFamilies } from '../../src/metrics/keyed-families.js';
import { createRegistries, renderMetrics, setConstantLabels } from '../../src/metrics/registries.js';
import { parseExposition, select } from '../helpers/exposition.js';
import { fakeTarget } from '../helpers/targets.js';

type Inputs = readonly [value: { v: number }];

function setup(states: () => { target: ScheduledTarget; value: { v: number } }[], idleMs = 1000) {
  const registries = createRegistries({ defaultMetrics: false });
  const built: string[] = [];
  registries.sources.push(new KeyedFamilies<Inputs>({
    families: [
      { name: 'o365_test_value', help: 'A test family\nwith a "newline" \\.', type: 'gauge' },
      { name: 'o365_test_info', help: 'Another', type: 'gauge' },
    ],
    states: () => states().map((s) => ({ key: s.target.key, target: s.target, inputs: [s.value] as const })),
    lines(prefix, [value]) {
      built.push(prefix);
      return [sampleLine('o365_test_value', prefix, '', value.v), value.v > 1 ? sampleLine('o365_test_info', prefix, ',x="y"', 1) : ''];
    },
  }, idleMs));
  const render = async (openMetrics = false) => (await renderMetrics(registries, openMetrics)).body;
  return { registries, built, render };
}

describe('keyed per-target families', () => {
  it('escapes hostile names, follows constant labels and reloaded targets, and passes promtool', async () => {
    const hostile = 'a"b\\c\nd} x 1';
    let states = [{ target: fakeTarget(hostile, { service: 'S"1' }), value: { v: 0.5 } }, { target: fakeTarget('plain'), value: { v: 2 } }];
    const { registries, render } = setup(() => states);
    setConstantLabels(registries, { site: 'h"q' });
    let text = await render();
    expect(text).toContain('# HELP o365_test_value A test family\\nwith a "newline" \\\\.\n');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    let series = parseExposition(text);
    expect(select(series, 'o365_test_value', { target: hostile, service: 'S"1', site: 'h"q' }).map((s) => s.value)).toEqual([0.5]);
    expect(select(series, 'o365_test_info', { target: 'plain', x: 'y' }).map((s) => s.value)).toEqual([1]);
    // A reload: new target objects (new service), new constant labels; the hostile target went away.
    states = [{ target: fakeTarget('plain', { service: 'Teams' }), value: states[1]?.value as { v: number } }];
    setConstantLabels(registries, { site: 'branch' });
    text = await render(true);
    series = parseExposition(text.replace('# EOF\n', ''));
    expect(series.map((s) => [s.name, s.labels.target, s.labels.service, s.labels.site, s.value])).toEqual([
      ['o365_test_value', 'plain', 'Teams', 'branch', 2],
      ['o365_test_info', 'plain', 'Teams', 'branch', 1],
    ]);
    expect(text.endsWith('o365_test_info{target="plain",service="Teams",category="Optimize",path="direct",site="branch",x="y"} 1\n# EOF\n')).toBe(true);
  });

  it('rebuilds only targets whose inputs changed, between scrapes when it is scraped', async () => {
    const states = Array.from({ length: 100 }, (_, i) => ({ target: fakeTarget(`t${i}`), value: { v: i } }));
    const { built, render } = setup(() => states, 5);
    await render();
    expect(built).toHaveLength(100);
    built.length = 0;
    expect(await render()).toContain('o365_test_value{target="t99",service="Exchange",category="Optimize",path="direct"} 99\n');
    expect(built).toHaveLength(0);
    // A new value object for two targets: the idle pass rebuilds them, the scrape has nothing left to do.
    for (const i of [3, 70]) (states[i] as { value: { v: number } }).value = { v: 1000 + i };
    await expect.poll(() => built.length).toBe(2);
    const text = await render();
    expect(built).toHaveLength(2);
    const values = select(parseExposition(text), 'o365_test_value', {}).map((s) => s.value);
    expect(values).toEqual(states.map((s) => s.value.v));
    expect(values[70]).toBe(1070);
  });
});
