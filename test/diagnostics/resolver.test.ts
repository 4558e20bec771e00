import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WhoamiCheck, whoami } from '../../src/diagnostics/resolver.js';
import { silentLogger } from '../../src/util/log.js';
import { startDnsServer, type TestDnsServer } from '../helpers/dns-server.js';

describe('who-am-i', () => {
  let good: TestDnsServer;
  let broken: TestDnsServer;

  beforeAll(async () => {
    good = await startDnsServer({ 'whoami.test': { a: ['192.0.2.53'] } });
    broken = await startDnsServer({ 'whoami.test': { behaviour: 'servfail' } });
  });
  afterAll(async () => {
    await good?.close();
    await broken?.close();
  });

  it('asks every resolver on its own and reports each egress or failure', async () => {
    const answers = await whoami('whoami.test', [good.resolver, broken.resolver], 2, new AbortController().signal);
    expect(answers.map((a) => [a.resolver, a.egress, a.failure?.reason])).toEqual([
      [`127.0.0.1:${good.resolver.port}`, '192.0.2.53', undefined],
      [`127.0.0.1:${broken.resolver.port}`, undefined, 'dns_servfail'],
    ]);
    expect(answers[0]?.seconds).toBeGreaterThan(0);
    // No failover: the broken resolver was asked, the good one only once.
    expect(good.queries.filter((q) => q.name === 'whoami.test')).toHaveLength(1);
  });

  it('runs at once, repeats on its interval, and stops when disabled', async () => {
    const check = new WhoamiCheck(silentLogger);
    try {
      const asked = () => good.queries.filter((q) => q.name === 'whoami.test').length;
      const before = asked();
      check.apply({ name: 'whoami.test', intervalSeconds: 0.05, timeoutSeconds: 2, resolvers: [good.resolver] });
      const deadline = Date.now() + 10_000;
      while (asked() < before + 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(asked()).toBeGreaterThanOrEqual(before + 3);
      expect(check.latest().map((a) => a.egress)).toEqual(['192.0.2.53']);
      check.apply(undefined);
      expect(check.latest()).toEqual([]);
      const stopped = asked();
      await new Promise((r) => setTimeout(r, 200));
      expect(asked()).toBe(stopped);
    } finally {
      await check.stop();
    }
  });
});
