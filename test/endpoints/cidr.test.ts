import fc from 'fast-check';
import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CidrSet, parseAddress, parseCidr } from '../../src/endpoints/cidr.js';

describe('CIDR membership', () => {
  it('IPv4: first and last address of the range are in, one before and one past are out', () => {
    // 52.96.0.0/14 is in Exchange set 1 of the worldwide list: 52.96.0.0 - 52.99.255.255.
    const set = new CidrSet(['52.96.0.0/14']);
    expect(set.contains('52.96.0.0')).toBe(true);
    expect(set.contains('52.99.255.255')).toBe(true);
    expect(set.contains('52.100.0.0')).toBe(false);
    expect(set.contains('52.95.255.255')).toBe(false);
  });

  it('IPv4: /32 and /0', () => {
    expect(new CidrSet(['192.0.2.7/32']).contains('192.0.2.7')).toBe(true);
    expect(new CidrSet(['192.0.2.7/32']).contains('192.0.2.8')).toBe(false);
    expect(new CidrSet(['0.0.0.0/0']).contains('255.255.255.255')).toBe(true);
  });

  it('IPv6: first and last address of the range are in, one past is out', () => {
    // 2603:1063::/38 is Teams media (set 11): 2603:1063:0000:: - 2603:1063:03ff:ffff:ffff:ffff:ffff:ffff.
    const set = new CidrSet(['2603:1063::/38']);
    expect(set.contains('2603:1063::')).toBe(true);
    expect(set.contains('2603:1063:3ff:ffff:ffff:ffff:ffff:ffff')).toBe(true);
    expect(set.contains('2603:1063:400::')).toBe(false);
    expect(set.contains('2603:1062:ffff:ffff:ffff:ffff:ffff:ffff')).toBe(false);
  });

  it('IPv6: compressed forms, an embedded IPv4 tail, zone ids and a host bit set in the network', () => {
    const set = new CidrSet(['2620:1ec:4::152/128', '2a01:111:f400::/48']);
    expect(set.contains('2620:01ec:0004:0000:0000:0000:0000:0152')).toBe(true);
    expect(set.contains('2a01:111:f400:ffff::1%eth0')).toBe(true);
    expect(set.contains('2a01:111:f401::')).toBe(false);
    expect(parseAddress('::ffff:0:0')?.family).toBe(4);
    expect(parseAddress('64:ff9b::192.0.2.1')).toEqual({ family: 6, value: (0x64n << 112n) | (0xff9bn << 96n) | 0xc0000201n });
    expect(parseCidr('10.1.2.3/8')).toEqual({ family: 4, network: 10n << 24n, prefix: 8 });
  });

  it('families do not mix, except IPv4-mapped IPv6 addresses which are IPv4', () => {
    const set = new CidrSet(['52.96.0.0/14']);
    expect(set.contains('::ffff:52.96.0.1')).toBe(true);
    expect(set.contains('::ffff:52.100.0.1')).toBe(false);
    expect(set.judges('2603:1063::1')).toBe(false);
    expect(new CidrSet(['::/0']).contains('52.96.0.1')).toBe(false);
  });

  it('drops what is not CIDR and rejects what is not an address', () => {
    const set = new CidrSet(['52.96.0.0/33', '2603:1063::/129', 'not-a-cidr', '1.2.3.0/24/1', '10.0.0.0/08x', '198.51.100.0/24']);
    expect(set.size).toBe(1);
    expect(set.contains('198.51.100.255')).toBe(true);
    expect(set.contains('outlook.office365.com')).toBe(false);
    expect(set.contains('')).toBe(false);
  });

  it('agrees with node:net BlockList on random IPv4 and IPv6 ranges and addresses', () => {
    const v4 = fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 }), fc.ipV4());
    // IPv4-mapped addresses are IPv4 here by design (what a dual-stack socket reports); BlockList keeps them IPv6.
    const notMapped = fc.ipV6().filter((a) => parseAddress(a)?.family === 6);
    const v6 = fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 }), notMapped);
    const agree = (type: 'ipv4' | 'ipv6') => ([network, prefix, address]: [string, number, string]) => {
      const oracle = new BlockList();
      oracle.addSubnet(network, prefix, type);
      expect(new CidrSet([`${network}/${prefix}`]).contains(address)).toBe(oracle.check(address, type));
      // The network address itself is always inside.
      expect(new CidrSet([`${network}/${prefix}`]).contains(network)).toBe(true);
    };
    fc.assert(fc.property(v4, agree('ipv4')), { numRuns: 500 });
    fc.assert(fc.property(v6, agree('ipv6')), { numRuns: 500 });
  });
});
