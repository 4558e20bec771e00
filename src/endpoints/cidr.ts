/**
 * CIDR membership for IPv4 and IPv6, by hand with BigInt: an address and a prefix become
 * (family, network bits), and membership is a masked compare. IPv4-mapped IPv6 addresses
 * (::ffff:192.0.2.1, what a dual-stack socket may report) are treated as IPv4.
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface ParsedAddress {
  family: 4 | 6;
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  /** Network address with host bits cleared. */
  network: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

export function parseAddress(text: string): ParsedAddress | undefined {
  const address = text.trim().replace(/%.*$/, ''); // drop an IPv6 zone id (fe80::1%eth0)
  if (isIPv4(address)) return { family: 4, value: ipv4Value(address) };
  if (!isIPv6(address)) return undefined;
  const value = ipv6Value(address);
  // ::ffff:0:0/96 holds IPv4-mapped addresses.
  if (value >> 32n === 0xffffn) return { family: 4, value: value & 0xffffffffn };
  return { family: 6, value };
}

export function parseCidr(text: string): Cidr | undefined {
  const [addressText, prefixText, extra] = text.trim().split('/');
  if (extra !== undefined || addressText === undefined) return undefined;
  const address = isIPv4(addressText) ? { family: 4 as const, value: ipv4Value(addressText) } : isIPv6(addressText) ? { family: 6 as const, value: ipv6Value(addressText) } : undefined;
  if (!address) return undefined;
  const bits = BITS[address.family];
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  return { family: address.family, network: address.value & mask(bits, prefix), prefix };
}

export function cidrContains(cidr: Cidr, address: ParsedAddress): boolean {
  if (cidr.family !== address.family) return false;
  return (address.value & mask(BITS[cidr.family], cidr.prefix)) === cidr.network;
}

/** A parsed list of ranges; entries that are not CIDR are dropped (network input). */
export class CidrSet {
  readonly ranges: Cidr[];

  constructor(cidrs: readonly string[]) {
    this.ranges = cidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  }

  get size(): number {
    return this.ranges.length;
  }

  /** Whether any range is of the address's family (an IPv4-only list says nothing of IPv6). */
  judges(addressText: string): boolean {
    const address = parseAddress(addressText);
    return address !== undefined && this.ranges.some((r) => r.family === address.family);
  }

  /** False for text that is not an IP address. */
  contains(addressText: string): boolean {
    const address = parseAddress(addressText);
    return address !== undefined && this.ranges.some((r) => cidrContains(r, address));
  }
}

function mask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return all ^ ((1n << BigInt(bits - prefix)) - 1n);
}

function ipv4Value(text: string): bigint {
  return text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

/** Expects text that net.isIPv6 accepted: "::" compression and a dotted IPv4 tail allowed. */
function ipv6Value(text: string): bigint {
  let groups: string[];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let head = text;
  const tailGroups: string[] = [];
  if (tail?.[1]) {
    const v4 = ipv4Value(tail[1]);
    tailGroups.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
    head = text.slice(0, -tail[1].length);
    // "…:6:1.2.3.4" leaves "…:6:", whose last colon only separated the tail; "::1.2.3.4" keeps "::".
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left ? left.split(':') : [];
  if (right === undefined) {
    groups = [...leftGroups, ...tailGroups];
  } else {
    const rightGroups = [...(right ? right.split(':') : []), ...tailGroups];
    const fill = 8 - leftGroups.length - rightGroups.length;
    groups = [...leftGroups, ...Array<string>(fill).fill('0'), ...rightGroups];
  }
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}
