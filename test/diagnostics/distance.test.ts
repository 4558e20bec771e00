import { describe, expect, it } from 'vitest';
import { distanceKm } from '../../src/diagnostics/distance.js';
import { cityByName } from '../../src/diagnostics/frontdoor-sites.js';

const near = (actual: number, expected: number, tolerance = 0.01) => expect(Math.abs(actual - expected) / expected).toBeLessThan(tolerance);

describe('distanceKm (haversine)', () => {
  it('matches known great-circle distances within 1%', () => {
    near(distanceKm({ lat: 51.5074, lon: -0.1278 }, { lat: 52.3676, lon: 4.9041 }), 358); // London - Amsterdam
    near(distanceKm({ lat: 40.7128, lon: -74.006 }, { lat: 51.5074, lon: -0.1278 }), 5570); // New York - London
    near(distanceKm({ lat: -33.8688, lon: 151.2093 }, { lat: 35.6762, lon: 139.6503 }), 7820); // Sydney - Tokyo
  });

  it('is symmetric, zero for one point, and half the circumference for antipodes', () => {
    const a = { lat: 48.86, lon: 2.35 };
    const b = { lat: 50.11, lon: 8.68 };
    expect(distanceKm(a, b)).toBeCloseTo(distanceKm(b, a), 9);
    expect(distanceKm(a, a)).toBe(0);
    near(distanceKm({ lat: 0, lon: 0 }, { lat: 0, lon: 180 }), Math.PI * 6371.0088, 1e-9);
  });

  it('works on the table coordinates: London - Amsterdam about 358 km', () => {
    const london = cityByName('London');
    const amsterdam = cityByName('Amsterdam');
    if (!london || !amsterdam) throw new Error('cities missing from the table');
    near(distanceKm(london, amsterdam), 358);
  });
});
