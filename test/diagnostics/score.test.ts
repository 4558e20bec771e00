import { describe, expect, it } from 'vitest';
import { NetworkScores } from '../../src/diagnostics/network-score.js';
import { SampleBuffer } from '../../src/diagnostics/sample-buffer.js';
import { exchangeScore, median, piecewiseLinear, targetSubScore, teamsScore } from '../../src/diagnostics/score.js';
import type { ProbeResult } from '../../src/probes/result.js';

describe("Exchange score: Microsoft's breakpoints on the median TCP connect time", () => {
  it.each([
    [5, 100],
    [10, 100],
    [17.5, 90],
    [25, 80],
    [62.5, 70],
    [100, 60],
    [150, 50],
    [200, 40],
    [300, 20],
    [325, 10],
    [350, 0],
    [400, 0],
  ])('%d ms -> %d', (ms, score) => {
    expect(exchangeScore(ms)).toBeCloseTo(score, 9);
  });

  it('never rises as latency grows', () => {
    let previous = Infinity;
    for (let ms = 0; ms <= 400; ms += 0.5) {
      const s = exchangeScore(ms);
      expect(s).toBeLessThanOrEqual(previous);
      previous = s;
    }
  });

  it('rejects an empty breakpoint list', () => {
    expect(() => piecewiseLinear(1, [])).toThrow(RangeError);
  });
});

describe('Teams score: the worst of RTT, jitter and loss against the Teams targets', () => {
  it('maps each target to 80, zero to 100 and five times the target to 0', () => {
    expect(targetSubScore(0, 100)).toBe(100);
    expect(targetSubScore(100, 100)).toBe(80);
    expect(targetSubScore(250, 100)).toBe(50);
    expect(targetSubScore(500, 100)).toBe(0);
    expect(targetSubScore(900, 100)).toBe(0);
  });

  it('takes the lowest sub-score', () => {
    expect(teamsScore({ rttMs: 100, jitterMs: 30, lossRatio: 0.01 })).toBeCloseTo(80, 9);
    expect(teamsScore({ rttMs: 20, jitterMs: 3, lossRatio: 0.02 })).toBeCloseTo(60, 9); // loss decides
    expect(teamsScore({ rttMs: 300, jitterMs: 3, lossRatio: 0 })).toBeCloseTo(40, 9); // RTT decides
    expect(teamsScore({ lossRatio: 1 })).toBe(0); // UDP blocked: nothing answered
    expect(teamsScore({})).toBeUndefined();
  });

  it('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('SampleBuffer', () => {
  it('keeps at most its capacity, dropping the oldest', () => {
    const b = new SampleBuffer(3);
    for (let i = 1; i <= 5; i++) b.push(i * 1000, i);
    expect(b.length).toBe(3);
    expect([...b.valuesSince(0)]).toEqual([3, 4, 5]);
  });

  it('selects and prunes by time, and ignores non-finite values', () => {
    const b = new SampleBuffer(10);
    b.push(1000, 1);
    b.push(2000, Number.NaN);
    b.push(3000, 3);
    b.push(4000, 4);
    expect([...b.valuesSince(2500)]).toEqual([3, 4]);
    b.prune(3500);
    expect(b.length).toBe(1);
    expect(() => new SampleBuffer(0)).toThrow(RangeError);
  });
});

const at = (ms: number, over: Partial<ProbeResult>): ProbeResult => ({ success: true, startedAt: ms, durationSeconds: 0.1, phases: {}, ...over });

describe('NetworkScores over a window', () => {
  const now = Date.UTC(2025, 0, 10);
  const hour = 3_600_000;

  it('scores Exchange from the median connect time of direct probes in the window', () => {
    const s = new NetworkScores(3 * 86_400);
    const exchange = { service: 'Exchange', path: 'direct' };
    s.observe(exchange, at(now - 4 * 24 * hour, { phases: { connect: 0.5 } })); // outside the window
    for (const ms of [10, 25, 25, 30, 400]) s.observe(exchange, at(now - hour, { phases: { connect: ms / 1000 } }));
    s.observe({ service: 'Exchange', path: 'corp' }, at(now - hour, { phases: { connect: 0.9 } })); // through a proxy: not Microsoft's latency
    s.observe({ service: 'SharePoint', path: 'direct' }, at(now - hour, { phases: { connect: 0.9 } }));
    s.observe(exchange, at(now - hour, { success: false, phases: { dns: 0.01 } })); // never connected
    expect(s.scores(now)).toEqual([{ service: 'Exchange', score: 80, samples: 5 }]);
    s.setWindow(60);
    expect(s.scores(now)).toEqual([]);
  });

  it('scores Teams from UDP results, with a blocked relay scoring 0', () => {
    const s = new NetworkScores();
    const teams = { service: 'Teams', path: 'direct' };
    s.observe(teams, at(now - hour, { udp: { sent: 10, received: 10, rtts: Array(10).fill(0.02), jitterSeconds: 0.003 } }));
    const [good] = s.scores(now);
    expect(good?.service).toBe('Teams');
    expect(good?.score).toBeCloseTo(96, 9); // RTT 20 ms decides: 100 - 20 * 20 / 100
    for (let i = 0; i < 3; i++) s.observe(teams, at(now - hour, { success: false, udp: { sent: 10, received: 0, rtts: [] } }));
    expect(s.scores(now)).toEqual([{ service: 'Teams', score: 0, samples: 4 }]); // mean loss 75%
  });
});
