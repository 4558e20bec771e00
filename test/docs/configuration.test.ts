/**
 * docs/configuration.md and docs/config.schema.json cannot drift from the schema the
 * exporter validates with: they must equal a fresh generation, every key zod accepts must
 * be in the reference, and the JSON Schema must agree with zod on accepted and rejected files.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default.js';
import { DURATION_PATTERN, configJsonSchema } from '../../src/config/json-schema.js';
import { parseConfig } from '../../src/config/load.js';
import { EXAMPLE_CONFIG } from '../../src/config/reference-data.js';
import { renderConfigReference } from '../../src/config/reference.js';
import { configSchema } from '../../src/config/schema.js';
import { generatedDocs } from '../../src/docs/generate.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (relative: string) => readFileSync(join(root, relative), 'utf8');

interface ZodLike {
  _zod: { def: { type: string; shape?: Record<string, ZodLike>; innerType?: ZodLike; element?: ZodLike; valueType?: ZodLike; in?: ZodLike } };
}

/** Every key path zod accepts, found by walking zod's own definitions (not the JSON Schema). */
function zodKeyPaths(schema: ZodLike, prefix = ''): string[] {
  const def = schema._zod.def;
  switch (def.type) {
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, child]) => {
        const path = prefix ? `${prefix}.${key}` : key;
        return [path, ...zodKeyPaths(child, path)];
      });
    case 'optional':
    case 'default':
    case 'prefault':
    case 'nullable':
      return zodKeyPaths(def.innerType as ZodLike, prefix);
    case 'pipe':
      return zodKeyPaths(def.in as ZodLike, prefix);
    case 'array':
      return zodKeyPaths(def.element as ZodLike, `${prefix}[]`);
    case 'record':
      return zodKeyPaths(def.valueType as ZodLike, `${prefix}.<name>`);
    default:
      return [];
  }
}

describe('generated config reference', () => {
  it('docs/configuration.md and docs/config.schema.json equal a fresh generation (run npm run docs)', () => {
    const docs = generatedDocs();
    expect(read('docs/configuration.md'), 'docs/configuration.md is stale: run npm run docs').toBe(docs['docs/configuration.md']);
    expect(read('docs/config.schema.json'), 'docs/config.schema.json is stale: run npm run docs').toBe(docs['docs/config.schema.json']);
  });

  it('describes every key the schema accepts, each with a description and an example', () => {
    const paths = zodKeyPaths(configSchema as unknown as ZodLike);
    expect(paths.length).toBeGreaterThan(40);
    expect(paths).toContain('targets[].tls.ca_file');
    expect(paths).toContain('modules.<name>.prober');
    const markdown = read('docs/configuration.md');
    const absent = paths.filter((p) => !markdown.includes(`| \`${p}\` |`));
    expect(absent, 'config keys missing from docs/configuration.md').toEqual([]);
    expect(renderConfigReference().missing, 'keys without description or example (src/config/reference-data.ts)').toEqual([]);
  });

  it('the example in the reference is a config the exporter accepts', () => {
    const config = parseConfig(EXAMPLE_CONFIG, 'example');
    expect(config.targets.map((t) => t.name)).toEqual(['exchange', 'sharepoint', 'smtp', 'teams-relay']);
    expect(read('docs/configuration.md')).toContain(EXAMPLE_CONFIG.trim());
  });
});

describe('config JSON Schema', () => {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
  const validate = ajv.compile(JSON.parse(read('docs/config.schema.json')) as object);
  const valid = (yaml: string) => validate(parse(yaml) ?? {});
  const zodValid = (yaml: string) => {
    try {
      parseConfig(yaml, 'test');
      return true;
    } catch {
      return false;
    }
  };

  it('is draft-07 and marks durations with the duration grammar', () => {
    const schema = configJsonSchema();
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.properties?.defaults?.properties?.interval?.pattern).toBe(DURATION_PATTERN);
    expect(schema.properties?.targets?.items?.properties?.timeout?.pattern).toBe(DURATION_PATTERN);
  });

  const cases: [string, string][] = [
    ['empty file', ''],
    ['embedded default', DEFAULT_CONFIG_YAML],
    ['reference example', EXAMPLE_CONFIG],
    ['compound duration', 'defaults: {interval: 1m30s}'],
    ['unknown top-level key', 'targest: []'],
    ['typo inside a target', 'targets: [{name: a, ulr: "https://a.example/"}]'],
    ['bare number as duration', 'defaults: {interval: 30}'],
    ['duration without unit', 'defaults: {timeout: "30"}'],
    ['two probe kinds in one target', 'targets: [{name: a, url: "https://a.example/", tcp: "a.example:443"}]'],
    ['no probe kind', 'targets: [{name: a}]'],
    ['bad enum', 'defaults: {ip_version: ipv5}'],
    ['status code out of range', 'targets: [{name: a, url: "https://a.example/", valid_status_codes: [99]}]'],
    ['label name not Prometheus', 'labels: {"1bad": x}'],
    ['module without prober', 'modules: {m: {method: HEAD}}'],
  ];
  it.each(cases)('agrees with the exporter on: %s', (_name, yaml) => {
    expect(valid(yaml), JSON.stringify(validate.errors)).toBe(zodValid(yaml));
  });

  it('rejects what it should (the cases above are not all accepted)', () => {
    expect(valid('targets: [{name: a, ulr: "https://a.example/"}]')).toBe(false);
    expect(valid(EXAMPLE_CONFIG)).toBe(true);
  });
});
