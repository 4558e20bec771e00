/** Label sets shared by targets (src/metrics/shared-series.ts): removed with their last user only. */
import { describe, expect, it } from 'vitest';
import { SharedSeries } from '../../src/metrics/shared-series.js';

describe('SharedSeries', () => {
  it('removes a label set when the last target that fed it goes, however often each fed it', () => {
    const removed: Record<string, string>[] = [];
    const shared = new SharedSeries({ remove: (labels) => void removed.push(labels) });
    const tls = { service: 'Exchange', phase: 'tls' };
    const dns = { service: 'Exchange', phase: 'dns' };
    for (let round = 0; round < 3; round++) {
      shared.add('a', { ...tls });
      shared.add('a', { ...dns });
      shared.add('b', { ...tls });
    }
    shared.remove('a');
    expect(removed).toEqual([dns]);
    shared.remove('a');
    expect(removed).toEqual([dns]);
    shared.remove('b');
    expect(removed).toEqual([dns, tls]);
    // A label set removed and fed again is tracked afresh.
    shared.add('c', { ...tls });
    shared.remove('c');
    expect(removed).toEqual([dns, tls, tls]);
  });
});
