/**
 * The web service's JSON (endpoints, version, changes) as the exporter reads it: random
 * JSON values, and Microsoft's real answers (../shared/fixtures) with fields deleted,
 * replaced by random JSON, or the sets shuffled into each other; then the mapping to
 * targets. Only ShapeError may come out, and a deeply nested answer is no stack overflow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mapEndpointSets } from '../../src/endpoints/mapping.js';
import { parseChanges, parseEndpointSets, parseVersion, ShapeError } from '../../src/endpoints/parse.js';
import { FIXTURES_DIR } from '../helpers/fake-webservice.js';

const RUNS = { numRuns: 400, interruptAfterTimeLimit: 10_000 };
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES_DIR, name), 'utf8')) as unknown;
const WORLDWIDE = fixture('endpoints-worldwide-2025-12.json') as Record<string, unknown>[];
const OLD = fixture('endpoints-worldwide-2020-12.json') as Record<string, unknown>[];
const CHANGES = fixture('changes-worldwide-sample.json') as Record<string, unknown>[];
const VERSION = fixture('version-worldwide.json');

/** Runs `parse`; a ShapeError is an allowed answer, anything else thrown fails the property. */
function onlyShapeError<T>(parse: () => T): T | undefined {
  try {
    return parse();
  } catch (err) {
    if (err instanceof ShapeError) return undefined;
    throw err;
  }
}

function everyParser(body: unknown): void {
  const parsed = onlyShapeError(() => parseEndpointSets(body));
  if (parsed) {
    expect(parsed.sets.length).toBeGreaterThan(0);
    // What discovery does next with the sets must not throw either.
    mapEndpointSets(parsed.sets, { categories: ['Optimize', 'Allow', 'Default'], requiredOnly: false, tenant: 'contoso', teamsRelay: 'world.tr.teams.microsoft.com' });
  }
  onlyShapeError(() => parseChanges(body));
  onlyShapeError(() => parseVersion(body, 'Worldwide'));
}

/** A fixture with some sets damaged: a field deleted or given a random JSON value. */
const mutatedSets = fc
  .tuple(fc.constantFrom(WORLDWIDE, OLD), fc.array(fc.tuple(fc.nat(), fc.constantFrom('id', 'serviceArea', 'category', 'required', 'urls', 'ips', 'tcpPorts', 'udpPorts', 'notes', 'expressRoute', 'serviceAreaDisplayName'), fc.option(fc.jsonValue({ maxDepth: 3 }))), { minLength: 1, maxLength: 30 }))
  .map(([sets, edits]) => {
    const copy = structuredClone(sets);
    for (const [i, key, value] of edits) {
      const set = copy[i % copy.length];
      if (!set) continue;
      if (value === null) delete set[key];
      else set[key] = value;
    }
    return copy;
  });

/** Strings where the parsers expect lists and ports: the shapes real data has, gone wrong. */
const hostileStrings = fc.array(
  fc.record({
    id: fc.nat(200),
    serviceArea: fc.constantFrom('Exchange', 'SharePoint', 'Skype', 'Common', 'MEM', ''),
    category: fc.constantFrom('Optimize', 'Allow', 'Default', 'optimize'),
    required: fc.boolean(),
    urls: fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('*.sharepoint.com', 'autodiscover.*.onmicrosoft.com', '*', '.', '..', '*.*', 'a..b', '-x.com', `${'a'.repeat(300)}.com`)), { maxLength: 6 }),
    ips: fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('52.96.0.0/14', '2603:1063::/38', '1.2.3.4/33', '::/0', '0.0.0.0/0', '999.1.1.1/8')), { maxLength: 6 }),
    tcpPorts: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('80,443', '143, 587, 993, 995', '1-65535', '0', '65536', '443-80', ',,,', '-')),
    udpPorts: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('3478,3479,3480,3481', '443', '3478-3481')),
  }),
  { maxLength: 20 },
);

describe('web service JSON', () => {
  it('random JSON values: a result or a ShapeError', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), everyParser), RUNS);
    fc.assert(fc.property(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 20 }), everyParser), RUNS);
  });

  it('real answers with fields deleted or replaced', () => fc.assert(fc.property(mutatedSets, everyParser), RUNS));

  it('well-typed sets with hostile strings in urls, ips and ports', () => fc.assert(fc.property(hostileStrings, everyParser), RUNS));

  it('change records and version answers with damage', () => {
    const damaged = fc.tuple(fc.constantFrom(CHANGES, [VERSION]), fc.array(fc.tuple(fc.nat(), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })), { maxLength: 10 })).map(([records, edits]) => {
      const copy = structuredClone(records) as Record<string, unknown>[];
      for (const [i, key, value] of edits) {
        const record = copy[i % copy.length];
        if (record) record[key] = value;
      }
      return copy;
    });
    fc.assert(fc.property(damaged, (body) => {
      everyParser(body);
      everyParser(body[0]);
    }), RUNS);
  });

  it('deep nesting and huge arrays: no stack overflow, no throw but ShapeError', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50_000; i++) deep = [deep];
    everyParser(deep);
    everyParser([{ id: 1, serviceArea: 'Exchange', category: 'Allow', urls: deep }]);
    let deepObject: unknown = {};
    for (let i = 0; i < 50_000; i++) deepObject = { id: deepObject };
    everyParser([deepObject]);
    everyParser(Array.from({ length: 100_000 }, () => 0));
    // The real answer still parses: the properties above are not vacuous.
    expect(parseEndpointSets(WORLDWIDE).sets).toHaveLength(79);
  });
});
