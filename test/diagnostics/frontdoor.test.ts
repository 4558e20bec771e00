import { describe, expect, it } from 'vitest';
import { cnameIata, edgeCode, exchangeSiteCode, frontDoors, primaryFrontDoor } from '../../src/diagnostics/frontdoor.js';
import { cityByName, edgeSite, exchangeSite, iataSite } from '../../src/diagnostics/frontdoor-sites.js';
import type { ProbeResult } from '../../src/probes/result.js';

const result = (headers: Record<string, string>, cnames: string[] = []): ProbeResult => ({
  success: true,
  startedAt: 0,
  durationSeconds: 0.1,
  phases: {},
  http: { statusCode: 401, httpVersion: '1.1', headers, bodyBytes: 0 },
  dns: { resolver: '127.0.0.1:53', rcode: 'NOERROR', transport: 'udp', cnames, addresses: ['192.0.2.1'] },
});

const EDGE_REF = 'Ref A: 9F1F0E1A2B3C4D5E6F708192A3B4C5D6 Ref B: LON21EDGE0112 Ref C: 2025-03-04T10:11:12Z';

describe('header and CNAME parsing', () => {
  it('takes the site prefix of an Exchange server name', () => {
    expect(exchangeSiteCode('AM0PR01CA0001')).toBe('AM');
    expect(exchangeSiteCode('DB8PR04CA0123, DB8PR04CA0124')).toBe('DB');
    expect(exchangeSiteCode('MWHPR1001CA0012')).toBe('MWH');
    expect(exchangeSiteCode('CWLP265CA0001')).toBe('CWL');
    expect(exchangeSiteCode('LO2P265CU001.internal.outlook.com')).toBe('LO');
    expect(exchangeSiteCode('  am6pr05ca0034 ')).toBe('AM');
  });

  it('gives no code for values that are not server names', () => {
    expect(exchangeSiteCode('')).toBeUndefined();
    expect(exchangeSiteCode('frontend')).toBeUndefined();
    expect(exchangeSiteCode('0123')).toBeUndefined();
  });

  it('takes the edge letters of Ref B', () => {
    expect(edgeCode(EDGE_REF)).toBe('LON');
    expect(edgeCode('Ref A: x Ref B: BN3EDGE0421 Ref C: y')).toBe('BN');
    expect(edgeCode('Ref A: x Ref B: AMBEDGE0918 Ref C: y')).toBe('AMB');
    expect(edgeCode('Ref A: only')).toBeUndefined();
    expect(edgeCode(`Ref B: ${'X'.repeat(40)}01`)).toBeUndefined();
  });

  it('takes the IATA code of an -efz CNAME and nothing from the plain acdc name', () => {
    expect(cnameIata('lhr-efz.ms-acdc.office.com')).toBe('LHR');
    expect(cnameIata('FRA-efz.ms-acdc.office.com.')).toBe('FRA');
    expect(cnameIata('outlook.ms-acdc.office.com')).toBeUndefined();
    expect(cnameIata('lhr-efz.example.com')).toBeUndefined();
  });
});

describe('sites table', () => {
  it('maps known codes to cities', () => {
    expect(exchangeSite('AM')?.city).toBe('Amsterdam');
    expect(exchangeSite('DB')?.city).toBe('Dublin');
    expect(exchangeSite('SN')?.city).toBe('San Antonio');
    expect(exchangeSite('BYA')?.city).toBe('San Francisco'); // 3 letters fall back to the 2-letter prefix
    expect(iataSite('LHR')?.city).toBe('London');
    expect(iataSite('kix')?.city).toBe('Osaka');
    expect(edgeSite('LON')?.city).toBe('London');
    expect(edgeSite('BN')?.city).toBe('Boydton');
  });

  it('knows nothing of made-up codes', () => {
    expect(exchangeSite('QQ')).toBeUndefined();
    expect(iataSite('QQQ')).toBeUndefined();
    expect(edgeSite('ZZZ')).toBeUndefined();
  });

  it('looks cities up by name, ignoring case, accents and spaces', () => {
    expect(cityByName('London')).toMatchObject({ country: 'GB', lat: 51.51, lon: -0.13 });
    expect(cityByName('  new   YORK ')?.city).toBe('New York');
    expect(cityByName('São Paulo')?.city).toBe('Sao Paulo');
    expect(cityByName('Atlantis')).toBeUndefined();
    expect(cityByName('toString')).toBeUndefined();
  });
});

describe('frontDoors', () => {
  it('lists the CNAME edge first, then Ref B, then the Exchange front end, one per code and source', () => {
    const doors = frontDoors(result(
      { 'x-feserver': 'AM0PR01CA0001', 'x-calculatedfetarget': 'AM0PR01CU001.internal.outlook.com', 'x-msedge-ref': EDGE_REF },
      ['outlook.ha.office365.com', 'outlook.ms-acdc.office.com', 'lhr-efz.ms-acdc.office.com'],
    ));
    expect(doors.map((d) => [d.code, d.source, d.origin, d.city?.city])).toEqual([
      ['LHR', 'cname', 'cname', 'London'],
      ['LON', 'header', 'x-msedge-ref', 'London'],
      ['AM', 'header', 'x-feserver', 'Amsterdam'],
    ]);
    expect(primaryFrontDoor(doors)?.code).toBe('LHR');
  });

  it('keeps an unknown code as a code and measures from the first known one', () => {
    const doors = frontDoors(result({ 'x-feserver': 'QQ1PR01CA0001', 'x-msedge-ref': 'Ref A: a Ref B: ZZZ01EDGE01 Ref C: c' }, ['outlook.ms-acdc.office.com']));
    expect(doors.map((d) => [d.code, d.city])).toEqual([['ZZZ', undefined], ['QQ', undefined]]);
    expect(primaryFrontDoor(doors)).toBeUndefined();
    const mixed = frontDoors(result({ 'x-feserver': 'DB8PR04CA0123', 'x-msedge-ref': 'Ref B: ZZZ01EDGE01' }));
    expect(primaryFrontDoor(mixed)?.city.city).toBe('Dublin');
  });

  it('finds nothing in an answer without front door hints', () => {
    expect(frontDoors(result({ server: 'nginx' }, ['cdn.example.net']))).toEqual([]);
    expect(frontDoors({ success: false, startedAt: 0, durationSeconds: 1, phases: {} })).toEqual([]);
  });
});
