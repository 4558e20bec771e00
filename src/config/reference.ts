/**
 * docs/configuration.md, rendered from the config JSON Schema (itself from the zod schema)
 * plus reference-data.ts. Every key the schema accepts becomes a row; a key with no
 * description or no example is reported in `missing` so the docs test can fail on it.
 */
import { stringify } from 'yaml';
import { DURATION_PATTERN, configJsonSchema, type JsonSchema } from './json-schema.js';
import { DESCRIPTIONS, EXAMPLE_CONFIG, EXAMPLES } from './reference-data.js';

export interface KeyRow {
  /** `defaults.interval`, `targets[].url`, `modules.<name>.prober`. */
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  example?: unknown;
  /** An object whose keys have rows of their own: needs no example. */
  container: boolean;
}

export function configKeyRows(schema: JsonSchema = configJsonSchema()): KeyRow[] {
  const rows: KeyRow[] = [];
  walkProperties(schema, '', rows);
  return rows;
}

function walkProperties(schema: JsonSchema, prefix: string, rows: KeyRow[]): void {
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    const path = prefix ? `${prefix}.${key}` : key;
    rows.push(row(path, child, schema.required?.includes(key) ?? false));
    walkChildren(child, path, rows);
  }
}

/** Objects nest as `a.b`, lists of objects as `a[].b`, maps of objects as `a.<name>.b`. */
function walkChildren(schema: JsonSchema, path: string, rows: KeyRow[]): void {
  if (schema.properties) walkProperties(schema, path, rows);
  if (schema.items?.properties) walkProperties(schema.items, `${path}[]`, rows);
  const values = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
  if (values?.properties) walkProperties(values, `${path}.<name>`, rows);
}

function row(path: string, schema: JsonSchema, required: boolean): KeyRow {
  const described = DESCRIPTIONS[path] ?? schema.description ?? schema.items?.description ?? valuesOf(schema)?.description;
  const type = typeName(schema);
  // The type column already says "duration"; the schema's sentence about the format is noise here.
  const description = type === 'duration' ? described?.replace(/\s*A duration such as[^.]*\.$/, '') : described;
  return { path, type, required, default: schema.default, description, example: exampleFor(path, schema), container: Boolean(schema.properties) };
}

function valuesOf(schema: JsonSchema): JsonSchema | undefined {
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

function exampleFor(path: string, schema: JsonSchema): unknown {
  if (path in EXAMPLES) return EXAMPLES[path];
  if (schema.type === 'boolean') return schema.default !== true;
  if (schema.default !== undefined && !isEmpty(schema.default)) return schema.default;
  if (schema.enum?.length) return schema.enum[0];
  return undefined;
}

function isEmpty(value: unknown): boolean {
  return (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
}

export function typeName(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (schema.pattern === DURATION_PATTERN) return 'duration';
  if (schema.type === 'array') return `list of ${schema.items ? plural(typeName(schema.items)) : 'values'}`;
  if (schema.type === 'object') {
    const values = valuesOf(schema);
    if (values) return `map of ${values.properties ? 'objects' : typeName(values)}`;
    return 'object';
  }
  return Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
}

function plural(type: string): string {
  if (type.includes('|')) return `(${type})`;
  return type === 'object' ? 'objects' : `${type}s`;
}

/** A value as it would be written in YAML, on one line. */
function yamlInline(value: unknown): string {
  return stringify(value, { collectionStyle: 'flow', lineWidth: 0 }).trim();
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(text: string): string {
  return `\`${text.replace(/\|/g, '\\|')}\``;
}

export interface Reference {
  markdown: string;
  /** Paths with no description or no example. */
  missing: string[];
}

export function renderConfigReference(schema: JsonSchema = configJsonSchema()): Reference {
  const rows = configKeyRows(schema);
  const missing = rows.filter((r) => !r.description || (r.example === undefined && !r.container)).map((r) => r.path);
  // Keys with keys below them get a section each; plain top-level keys share the first one.
  const sections = new Map<string, KeyRow[]>([['Top-level keys', []]]);
  for (const r of rows) {
    const top = r.path.split(/[.[]/)[0] ?? r.path;
    const nested = rows.some((other) => other.path !== top && (other.path.startsWith(`${top}.`) || other.path.startsWith(`${top}[]`)));
    const title = nested ? `\`${top}\`` : 'Top-level keys';
    sections.set(title, [...(sections.get(title) ?? []), r]);
  }
  const parts = [HEADER, '```yaml', EXAMPLE_CONFIG.trimEnd(), '```', ''];
  for (const [title, sectionRows] of sections) parts.push(`## ${title}`, '', ...table(sectionRows), '');
  return { markdown: `${parts.join('\n').trimEnd()}\n`, missing };
}

function table(rows: KeyRow[]): string[] {
  const lines = ['| Key | Type | Default | Description | Example |', '| --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    const def = r.required ? '**required**' : r.default === undefined ? '' : code(yamlInline(r.default));
    const example = r.example === undefined ? (r.container ? 'see below' : '') : code(yamlInline(r.example));
    lines.push(`| ${code(r.path)} | ${cell(r.type)} | ${def} | ${cell(r.description ?? '')} | ${example} |`);
  }
  return lines;
}

const HEADER = `# Configuration reference

<!-- Generated by scripts/gen-docs.ts from src/config/schema.ts: do not edit; run \`npm run docs\`. -->

o365-exporter reads one YAML file (\`--config.file=PATH\`; without it, an embedded default that
probes the core Microsoft 365 endpoints). Unknown keys are errors, reported with file and line;
\`--config.check\` validates a file and exits. The same schema is published as JSON Schema in
[config.schema.json](config.schema.json): add
\`# yaml-language-server: $schema=<path or URL of config.schema.json>\` as the first line of a
config file and an editor completes and checks it.

Durations are written like Prometheus' (\`500ms\`, \`30s\`, \`1m30s\`, \`1h\`); a bare number is
rejected. Paths: \`a.b\` is a key inside an object, \`a[].b\` a key of each list item,
\`a.<name>.b\` a key of each map entry. Reload with SIGHUP or \`POST /-/reload\`: an invalid file
keeps the running config.

## Example
`;
