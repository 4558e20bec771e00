import { describe, expect, it } from 'vitest';
import { parseSamples, sum, value } from '../../bench/lib/prom-text.js';
import { mean } from '../../bench/lib/stats.js';
import { readFileSync } from 'node:fs';
import { chartLayout, chartSvg } from '../../bench/report/chart.js';
import { evaluateGoals, rssFloors } from '../../bench/report/goals.js';
import type { BenchResults } from '../../bench/report/results.js';
import { summaryMarkdown } from '../../bench/report/summary.js';
import { ticks } from '../../bench/report/svg.js';
import type { CaseResult, PhaseResult } from '../../bench/scenarios/accuracy-case.js';
import type { ScheduledResult } from '../../bench/scenarios/scheduled.js';
import { pool } from '../../bench/scenarios/throughput.js';

const summary = (median: number, p99Abs: number) => ({ n: 50, median, p99Abs, min: median, max: p99Abs });
const phase = (name: PhaseResult['phase'], median: number, p99: number): PhaseResult => ({
  phase: name, roundTrips: 1, reportedMedianMs: 40 + median, nominal: summary(median, p99), wire: summary(median / 2, p99 / 2),
});

function accuracyCase(ours: [number, number], theirs: [number, number]): CaseResult {
  const phases = (m: number, p: number) => (['dns', 'connect', 'tls', 'first_byte'] as const).map((n) => phase(n, m, p));
  return {
    label: '40 ms', rttMs: 40, jitterMs: 0, tls: '1.3', loaded: false, machineBusyPercent: 50,
    linkLatenessUs: { median: 5, p99: 40, max: 90 },
    exporters: [
      { exporter: 'o365', probes: 50, failures: 0, phases: phases(...ours) },
      { exporter: 'blackbox', probes: 50, failures: 0, phases: phases(...theirs) },
    ],
  };
}

function base(): BenchResults {
  return {
    date: '2026-01-01T00:00:00.000Z', durationSeconds: 60, loadAverage: { start: [0.1, 0.2, 0.3] },
    machine: { cores: 2, cpuModel: 'test', memoryBytes: 2 ** 33, kernel: '6', node: 'v20', blackbox: '0.23.0' },
    flags: {} as BenchResults['flags'],
  };
}

function results(c: CaseResult): BenchResults {
  return { ...base(), accuracy: { cases: [c], load: { targets: 0, intervalSeconds: 5 } } };
}

describe('bench report', () => {
  it('meets the accuracy goals only within 0.3 ms median and 1 ms p99, and not worse than blackbox', () => {
    const good = evaluateGoals(results(accuracyCase([0.1, 0.8], [0.2, 0.9])));
    expect(good.find((g) => g.goal.includes('fixed delay, idle'))?.verdict).toBe('met');
    expect(good.find((g) => g.goal.includes('never worse'))?.verdict).toBe('met');

    const bad = evaluateGoals(results(accuracyCase([0.4, 0.8], [0.1, 0.5])));
    expect(bad.find((g) => g.goal.includes('fixed delay, idle'))?.verdict).toBe('not met');
    const worse = bad.find((g) => g.goal.includes('never worse'));
    expect(worse?.verdict).toBe('not met');
    expect(worse?.detail).toContain('40 ms dns');
  });

  it('judges "never worse" with jitter against each probe\'s wire truth, not the injected mean', () => {
    const jittered = (): CaseResult => ({ ...accuracyCase([0.1, 0.8], [0.1, 0.8]), label: '40 ms +-5 ms', jitterMs: 5 });
    const c = jittered();
    // Against the mean ours drew the longer delays; on the wire it is as close as blackbox.
    for (const p of c.exporters[0]?.phases ?? []) p.nominal = summary(3, 8);
    expect(evaluateGoals(results(c)).find((g) => g.goal.includes('never worse'))?.verdict).toBe('met');
    const worse = jittered();
    for (const p of worse.exporters[0]?.phases ?? []) p.wire = summary(0.5, 2);
    const goal = evaluateGoals(results(worse)).find((g) => g.goal.includes('never worse'));
    expect(goal?.verdict).toBe('not met');
    expect(goal?.detail).toContain('40 ms +-5 ms dns (|median| +0.45, p99 +1.60)');
  });

  it('prints a table row per phase with median / p99 cells', () => {
    const md = summaryMarkdown(results(accuracyCase([0.1, 0.8], [0.2, 0.9])));
    expect(md).toContain('| 40 ms ');
    expect(md).toContain('+0.10 / 0.80');
    expect(md).toContain('2 cores');
    expect(md).not.toContain('Link emulator:');
  });

  it('adds the C reference client beside the exporters, with the lab path it measured, only when it ran', () => {
    const c = accuracyCase([0.1, 0.8], [0.2, 0.9]);
    expect(summaryMarkdown(results(c))).not.toContain('C client');
    const figure = (median: number) => ({ median, p99: median * 3 });
    const labPaths = (['dns', 'connect', 'tls', 'first_byte'] as const).map((name) => ({ phase: name, send: figure(40), receive: figure(25) }));
    const phases = (['dns', 'connect', 'tls', 'first_byte'] as const).map((n) => phase(n, 0.05, 0.2));
    c.exporters.push({ exporter: 'reference', probes: 50, failures: 1, phases, labPaths });
    const md = summaryMarkdown(results(c));
    expect(md).toContain('| C client vs injected | o365 vs wire | blackbox vs wire | C client vs wire |');
    expect(md).toContain('| 50/50/50 ');
    expect(md).toContain('| 0/0/1 ');
    expect(md).toMatch(/\| 40 ms \| dns +\| 40 \/ 120 +\| 25 \/ 75 +\| 65 +\|/);
    const idle = evaluateGoals(results(c)).find((g) => g.goal.includes('fixed delay, idle'));
    expect(idle?.detail).toContain('the C reference client: 4 of 4');
    const skipped = results(accuracyCase([0.1, 0.8], [0.2, 0.9]));
    if (skipped.accuracy) skipped.accuracy.referenceSkipped = 'cc could not build it (needs gcc and libssl-dev)';
    expect(summaryMarkdown(skipped)).toContain('The C reference client did not run: cc could not build it (needs gcc and libssl-dev).');
    // The chart gets a third set of bars and its legend only when the C client ran.
    expect(chartSvg(results(c))).toContain('C client tls');
    expect(chartSvg(skipped)).not.toContain('C client');
  });

  it('draws the goal labels after the bars, outlined, so the tallest last case cannot hide them', () => {
    const svg = chartSvg(results(accuracyCase([0.1, 5], [0.2, 9])));
    const medianLabel = svg.indexOf('>goal +-0.3 ms</text>');
    const p99Axis = svg.indexOf('p99 |error| (ms)');
    const p99Label = svg.indexOf('>goal 1 ms</text>');
    for (const at of [medianLabel, p99Label]) expect(svg.slice(svg.lastIndexOf('<text', at), at)).toContain('paint-order="stroke"');
    expect(svg.slice(svg.indexOf('Accuracy:'), medianLabel)).toContain('<rect');
    expect(svg.slice(medianLabel, p99Axis)).not.toContain('<rect');
    expect(svg.slice(p99Axis, p99Label)).toContain('<rect');
    const nextPanel = svg.indexOf('/probe:');
    expect(svg.slice(p99Label, nextPanel === -1 ? undefined : nextPanel)).not.toContain('<rect');
  });

  it('shows the CPU the hypervisor stole, per case and over the run, and n/a for older results', () => {
    const c = { ...accuracyCase([0.1, 0.8], [0.2, 0.9]), machineStealPercent: 12.34 };
    const md = summaryMarkdown({ ...results(c), stealPercent: 3.21 });
    expect(md).toContain('| CPU steal % |');
    expect(md).toMatch(/\| 40 ms +\| 50\/50 +\| 0\/0 +\| \? \/ \? +\| 40 +\| 50 +\| 12\.3 +\|/);
    expect(md).toContain('CPU stolen by the hypervisor 3.2 % of one core over the run.');
    const older = summaryMarkdown(results(accuracyCase([0.1, 0.8], [0.2, 0.9])));
    expect(older).toMatch(/\| 40 +\| 50 +\| n\/a +\|/);
    expect(older).not.toContain('stolen');
  });

  it('shows the wake witness per case, n/a without it, and why it did not run', () => {
    const c: CaseResult = { ...accuracyCase([0.1, 0.8], [0.2, 0.9]), wakeWitness: { samples: 5600, p50: 0.09, p99: 1.46, max: 29.34, over5ms: 12, over10ms: 4 } };
    const md = summaryMarkdown(results(c));
    expect(md).toContain('| wake witness late p99 / max (ms), wake-ups > 10 ms |');
    expect(md).toMatch(/\| 1\.5 \/ 29\.3, 4 of 5600 +\|/);
    const without = results(accuracyCase([0.1, 0.8], [0.2, 0.9]));
    if (without.accuracy) without.accuracy.witnessSkipped = 'cc could not build it';
    const md2 = summaryMarkdown(without);
    expect(md2).toMatch(/\| n\/a +\| n\/a +\| n\/a +\|\n/);
    expect(md2).toContain('The wake witness did not run: cc could not build it.');
  });

  it('says when the idle spinners were stopped early, and what the kernel logged', () => {
    const run = results(accuracyCase([0.1, 0.8], [0.2, 0.9]));
    expect(summaryMarkdown(run)).not.toContain('idle spinners');
    if (run.accuracy) run.accuracy.spinnersStopped = 'in the 40 ms TLS 1.2 case, the kernel logged "BUG: workqueue lockup - pool cpus=0 stuck for 41s!"';
    expect(summaryMarkdown(run)).toContain('**The idle spinners were stopped early**: in the 40 ms TLS 1.2 case, the kernel logged "BUG: workqueue lockup - pool cpus=0 stuck for 41s!". The cases after that ran without them');
  });

  it('says the niceness the harness and the lab\'s processes ran at', () => {
    const at = (nice: number) => summaryMarkdown({ ...results(accuracyCase([0.1, 0.8], [0.2, 0.9])), flags: { nice } as BenchResults['flags'] });
    expect(at(-10)).toContain('Harness at nice -10, exporters, peers and wrk at nice -20.');
    expect(at(0)).toContain('Harness, exporters and peers at the niceness they were started with.');
  });

  it('says which link emulator and far peers ran, not only what was asked', () => {
    const md = summaryMarkdown({ ...results(accuracyCase([0.1, 0.8], [0.2, 0.9])), lab: { link: 'python', far: 'node' } });
    expect(md).toContain('Link emulator: python; far peers: node.');
  });

  it('says how the CPUs idled during the run, and how many idle entries polled', () => {
    const cpuIdle = { requested: 'poll' as const, held: true, driver: 'haltpoll', entries: { poll: 1980, deeper: 20 } };
    const md = summaryMarkdown({ ...results(accuracyCase([0.1, 0.8], [0.2, 0.9])), lab: { link: 'c', far: 'native', cpuIdle } });
    expect(md).toContain('far peers: native; CPU idle held at polling (/dev/cpu_dma_latency 0 us, cpuidle driver haltpoll); 99.0 % of 2000 idle entries polled.');
  });

  it('says when this exporter ran on another node than the harness', () => {
    const lab = { link: 'c', linkClock: 'kernel' as const, far: 'native', exporterNode: { node: 'v22.23.3', openssl: '3.5.8' } };
    const md = summaryMarkdown({ ...results(accuracyCase([0.1, 0.8], [0.2, 0.9])), lab });
    expect(md).toContain('Link emulator: c (packet times from the kernel); far peers: native; this exporter on Node v22.23.3 (OpenSSL 3.5.8).');
  });

  it('says which key the bench certificates had', () => {
    const md = summaryMarkdown({ ...results(accuracyCase([0.1, 0.8], [0.2, 0.9])), lab: { link: 'c', far: 'native', certKey: 'rsa' } });
    expect(md).toContain('far peers: native; certificates RSA-2048.');
  });

  it('reads samples back from the text format', () => {
    const samples = parseSamples('# HELP x y\nprobe_success 1\nprobe_http_duration_seconds{phase="tls"} 0.042\nc_total{t="a\\"b"} 2\nc_total{t="c"} 3\n');
    expect(value(samples, 'probe_success')).toBe(1);
    expect(value(samples, 'probe_http_duration_seconds', { phase: 'tls' })).toBe(0.042);
    expect(value(samples, 'probe_http_duration_seconds', { phase: 'dns' })).toBeUndefined();
    expect(sum(samples, 'c_total')).toBe(5);
    expect(samples.find((s) => s.name === 'c_total')?.labels.t).toBe('a"b');
  });

  it('picks round axis ticks', () => {
    expect(ticks(0, 10)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(-0.5, 1)).toEqual([-0.5, 0, 0.5, 1]);
    expect(ticks(0, 0.07)).toEqual([0, 0.02, 0.04, 0.06]);
  });

  describe('flat RSS', () => {
    const MiB = 2 ** 20;
    /** One sample a second: `rss(t)` MiB plus a 0-6 MiB sawtooth (a render every 15 s). */
    const run = (seconds: number, rss: (t: number) => number) =>
      ({ steadyFromSeconds: 15, samples: Array.from({ length: seconds }, (_, t) => ({ t, rssBytes: (rss(t) + (t % 15) * 0.4) * MiB })) }) as unknown as ScheduledResult;
    const warmUpThenLevel = (t: number) => 200 + Math.min(t, 240) * 0.15;

    it('is not judged on a window that is all warm-up', () => {
      expect(rssFloors(run(135, warmUpThenLevel)).flat).toBeUndefined();
    });

    it('calls a run that climbs for four minutes and then levels flat', () => {
      const f = rssFloors(run(615, warmUpThenLevel));
      expect(f.flat).toBe(true);
      expect(f.earlier / MiB).toBeCloseTo(236, 0);
    });

    it('calls a steady 3 MiB/min climb growing, warm-up or not', () => {
      expect(rssFloors(run(615, (t) => warmUpThenLevel(t) + (t / 60) * 3)).flat).toBe(false);
    });

    it('leaves the scale goal not judged, not failed, when a short run met every other bound', () => {
      const scaled = (seconds: number, rss: (t: number) => number, over: Partial<ScheduledResult> = {}): ScheduledResult => ({
        ...run(seconds, rss), targets: 5000, intervalSeconds: 15, seconds, cpuPercent: 70, peerCpuPercent: 30, machineCpuPercent: 100,
        rssStartBytes: 200 * MiB, rssEndBytes: 236 * MiB, rssMaxBytes: 240 * MiB, rssSlopeMiBPerMin: 0, metricsMedianSeconds: 0.05,
        metricsMaxSeconds: 0.2, metricsBytes: 7e6, failedScrapes: 0, probesPerSecond: 333, onTimeRatio: 1, failures: 0, slotsMissed: 0,
        slotsMissedTotal: 0, scrapes: [], ...over,
      });
      const goal = (r: ScheduledResult) => evaluateGoals({ ...base(), scheduled: [r] }).find((g) => g.goal.startsWith('5000 targets'));
      const short = goal(scaled(135, warmUpThenLevel));
      expect(short?.verdict).toBe('not judged');
      expect(short?.detail).toContain('--scheduled.seconds=600');
      const md = summaryMarkdown({ ...base(), scheduled: [scaled(135, warmUpThenLevel)] });
      expect(md).toContain('- NOT JUDGED: 5000 targets on 2 cores');
      // The scheduled table's steal column: n/a when not recorded, the figure when it was.
      expect(md).toMatch(/\| 5000 +\| 333\.0 +\| 70\.0 +\| 30\.0 +\| n\/a +\|/);
      expect(summaryMarkdown({ ...base(), scheduled: [scaled(135, warmUpThenLevel, { machineStealPercent: 7.54 })] })).toMatch(/\| 30\.0 +\| 7\.5 +\|/);
      expect(goal(scaled(615, warmUpThenLevel))?.verdict).toBe('met');
      // A bound a short run can check fails it outright; so does growth on a long one.
      expect(goal(scaled(135, warmUpThenLevel, { rssMaxBytes: 260 * MiB }))?.verdict).toBe('not met');
      expect(goal(scaled(135, warmUpThenLevel, { metricsMaxSeconds: 0.6 }))?.verdict).toBe('not met');
      expect(goal(scaled(615, (t) => warmUpThenLevel(t) + (t / 60) * 3))?.verdict).toBe('not met');
    });
  });

  it('pools interleaved /probe turns into totals and reports the ratio turn by turn', () => {
    const turn = (ok: number, cpuSeconds: number, bins: [number, number][], peak: number, peerCpuSeconds = 1.5) => ({
      wrk: { requests: ok, duration_us: 3e6, ok, bad: 1, errors: 0, p50_us: 0, p99_us: 0, bins },
      cpuSeconds,
      peerCpuSeconds,
      peakRssBytes: peak,
    });
    const ours = pool('o365', 1, [turn(900, 2, [[2000, 899], [9000, 1]], 100, 1.2), turn(600, 2, [[3000, 599], [20000, 1]], 140, 0.6)]);
    const theirs = pool('blackbox', 1, [turn(1000, 2, [[2500, 1000]], 20), turn(1000, 2, [[2500, 1000]], 30)]);
    // Totals, not a mean of the turns' rates: 1,500 probes over 4 CPU seconds.
    expect(ours.probesPerCpuSecond).toBe(375);
    expect(ours.probesPerSecond).toBe(250);
    expect(ours.failed).toBe(2);
    expect(ours.peakRssBytes).toBe(140);
    expect(ours.p50Ms).toBe(2);
    expect(ours.p99Ms).toBe(3);
    expect(ours.rounds).toEqual([{ seconds: 3, probes: 900, cpuSeconds: 2, peerCpuSeconds: 1.2 }, { seconds: 3, probes: 600, cpuSeconds: 2, peerCpuSeconds: 0.6 }]);
    // The local target's CPU over the turns' wall time: 1.8 s in 6 s, and 3 s in 6 s.
    expect(ours.peerCpuPercent).toBeCloseTo(30, 9);
    expect(theirs.peerCpuPercent).toBeCloseTo(50, 9);
    const md = summaryMarkdown({ ...base(), throughput: [ours, theirs] });
    expect(md).toContain('| target CPU % |');
    expect(md).toMatch(/\| o365 +\| 1 +\|.*\| 2 +\| 30 +\|/);
    expect(md).toMatch(/\| blackbox +\| 1 +\|.*\| 2 +\| 50 +\|/);
    const goal = evaluateGoals({ ...base(), throughput: [ours, theirs] }).find((g) => g.goal.includes('/probe at concurrency 1'));
    // Two turns as far apart as 0.60 and 0.90 cannot tell 0.75x from 1x: a 95 % interval holds 1.
    expect(goal?.verdict).toBe('not judged');
    expect(goal?.detail).toContain('375 vs 500 probes per CPU second (0.75x; turn by turn 0.60-0.90x over 2 rounds, geometric mean 0.73x, 95 % interval 0.06-9.66x)');
    expect(goal?.detail).toContain('`--only=throughput --throughput.concurrency=1 --throughput.seconds=40 --throughput.rounds=40 --throughput.warmup=12` can');
  });

  it('judges /probe on the interval of the turns\' ratio: met above 1, not met below, and without turns on the totals', () => {
    const step = (exporter: 'o365' | 'blackbox', perCpu: number[]) => ({
      exporter, concurrency: 8, seconds: 12, probes: 0, failed: 0, probesPerSecond: 0, p50Ms: 0, p99Ms: 0, peakRssBytes: 0,
      cpuSeconds: perCpu.length, cpuSecondsPer1000: 0, probesPerCpuSecond: mean(perCpu),
      rounds: perCpu.map((p) => ({ seconds: 3, probes: p, cpuSeconds: 1 })),
    });
    const judge = (ours: number[], theirs: number[], rounds = true) => {
      const [o, b] = [step('o365', ours), step('blackbox', theirs)];
      if (!rounds) [o, b].forEach((s) => delete (s as { rounds?: unknown }).rounds);
      return evaluateGoals({ ...base(), throughput: [o, b] }).find((g) => g.goal.startsWith('/probe at concurrency 8'));
    };
    const bb = [500, 520, 480, 510];
    expect(judge([600, 640, 570, 615], bb)?.verdict).toBe('met');
    expect(judge([400, 430, 380, 400], bb)?.verdict).toBe('not met');
    // 1.05x pooled, but turns of 0.81-1.30x: not decided either way.
    const mixed = judge([650, 420, 580, 470], bb);
    expect(mixed?.verdict).toBe('not judged');
    expect(mixed?.detail).toContain('--throughput.concurrency=8 ');
    expect(judge([530, 530, 530, 530], bb, false)?.verdict).toBe('met');
    expect(judge([490, 490, 490, 490], bb, false)?.detail).not.toContain('interval');
  });

  it('reports /probe steps by concurrency, lowest first, whatever order measured them, and names that order', () => {
    const step = (exporter: 'o365' | 'blackbox', concurrency: number, perCpu: number) => ({
      exporter, concurrency, seconds: 12, probes: perCpu, failed: 0, probesPerSecond: perCpu, p50Ms: 0, p99Ms: 0, peakRssBytes: 0,
      cpuSeconds: 1, cpuSecondsPer1000: 0, probesPerCpuSecond: perCpu,
    });
    // Appended as `--throughput.concurrency=32,8,1` measures them: 32 first, 1 last.
    const steps = [step('o365', 32, 800), step('blackbox', 32, 600), step('o365', 8, 700), step('blackbox', 8, 500), step('o365', 1, 450), step('blackbox', 1, 400)];
    const r = { ...base(), throughput: steps };
    const rows = summaryMarkdown(r).split('\n').filter((l) => /^\| (o365|blackbox) +\| \d+ /.test(l)).map((l) => l.split('|').slice(1, 3).map((c) => c.trim()).join(' '));
    expect(rows).toEqual(['o365 1', 'blackbox 1', 'o365 8', 'blackbox 8', 'o365 32', 'blackbox 32']);
    expect(summaryMarkdown(r)).toContain('Measured at concurrency 32, 8, 1, in that order.');
    expect(evaluateGoals(r).map((g) => /concurrency (\d+)/.exec(g.goal)?.[1])).toEqual(['1', '8', '32']);
    const labels = [...chartSvg(r).matchAll(/>concurrency (\d+)</g)].map((m) => m[1]);
    expect(labels).toEqual(['1', '8', '32']);
  });

  it('lays the chart out for what the run measured, with no blank panels', () => {
    const read = (name: string) => JSON.parse(readFileSync(new URL(`../../bench/results/${name}`, import.meta.url), 'utf8')) as BenchResults;
    const full = read('latest.json');
    expect(chartLayout(full).height).toBe(1000);
    const scheduledOnly = read('scheduled-5000-10min.json');
    expect(scheduledOnly.accuracy).toBeUndefined();
    const svg = chartSvg(scheduledOnly);
    // Its two panels move up to the first row: half the height, no accuracy or /probe panel.
    expect(svg).toContain('height="480"');
    expect(svg).toContain('Scheduled mode: RSS over time');
    expect(svg).not.toContain('Accuracy:');
    expect(svg).not.toContain('/probe:');
    const accuracyOnly: BenchResults = { ...full, throughput: undefined, scheduled: undefined };
    expect(chartLayout(accuracyOnly).height).toBe(620);
  });
});

