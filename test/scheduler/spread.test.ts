import { describe, expect, it } from 'vitest';
import { Limiter } from '../../src/scheduler/limiter.js';
import { nextSlot, slotOffset } from '../../src/scheduler/spread.js';

describe('slotOffset', () => {
  const keys = Array.from({ length: 60 }, (_, i) => `target-${i}|direct`);

  it('lies in [0, interval) and differs across targets', () => {
    const offsets = keys.map((k) => slotOffset(k, 30));
    for (const o of offsets) {
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(30);
    }
    expect(new Set(offsets).size).toBe(keys.length);
  });

  it('spreads targets over the whole interval (no thundering herd)', () => {
    const thirds = [0, 0, 0];
    for (const k of keys) thirds[Math.floor(slotOffset(k, 30) / 10)]! += 1;
    // 60 hashed keys: each third of the interval gets a fair share.
    for (const count of thirds) expect(count).toBeGreaterThanOrEqual(10);
  });

  it('is stable for a key and scales with the interval', () => {
    expect(slotOffset('exchange|direct', 30)).toBe(slotOffset('exchange|direct', 30));
    expect(slotOffset('exchange|direct', 60)).toBeCloseTo(slotOffset('exchange|direct', 30) * 2, 9);
  });
});

describe('nextSlot', () => {
  it('is the anchor while it is ahead, then the first slot strictly after now', () => {
    expect(nextSlot(1000, 100, 500)).toBe(1000);
    expect(nextSlot(1000, 100, 1000)).toBe(1100);
    expect(nextSlot(1000, 100, 1099)).toBe(1100);
    expect(nextSlot(1000, 100, 1250)).toBe(1300);
  });
});

describe('Limiter', () => {
  it('lets a waiter leave the queue when its signal aborts', async () => {
    const limiter = new Limiter(1);
    let release = () => {};
    const holder = limiter.run(new AbortController().signal, () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiter = limiter.run(controller.signal, () => Promise.resolve('ran'));
    controller.abort(new Error('gave up'));
    await expect(waiter).rejects.toThrow('gave up');
    release();
    await holder;
    expect(limiter.running).toBe(0);
    await expect(limiter.run(new AbortController().signal, () => Promise.resolve('next'))).resolves.toBe('next');
  });
});
