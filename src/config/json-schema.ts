/**
 * The JSON Schema of the config file, generated from the zod schema the exporter validates
 * with (src/config/schema.ts), so an editor's completion and checks match the exporter's.
 * It describes what a person writes (zod's "input" side: durations as text, defaults
 * optional). docs/config.schema.json is this, written by scripts/gen-docs.ts.
 */
import { z } from 'zod';
import { configSchema } from './schema.js';

/** The subset of JSON Schema the generator emits and the reference renderer reads. */
export interface JsonSchema {
  $schema?: string;
  $id?: string;
  title?: string;
  type?: string | string[];
  description?: string;
  default?: unknown;
  examples?: unknown[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** Mirrors duration.ts: one or more number+unit parts, e.g. 500ms, 30s, 1m30s, 1h, 3d. */
export const DURATION_PATTERN = '^(?:\\d+(?:\\.\\d+)?(?:ms|s|m|h|d|w))+$';

/** schema.ts marks every duration with this sentence (see its `duration()` helper). */
const DURATION_MARK = 'A duration such as';

export function configJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(configSchema, {
    io: 'input',
    // Draft 7 is what editors' YAML/JSON language servers support best.
    target: 'draft-07',
    override: ({ zodSchema, jsonSchema }) => {
      const json = jsonSchema as JsonSchema;
      restoreEmptyDefault(zodSchema, json);
      if (json.type === 'string' && json.description?.includes(DURATION_MARK)) json.pattern = DURATION_PATTERN;
      // 2^53-1 is zod's way of saying "an integer"; it is noise to a person reading the schema.
      if (json.maximum === Number.MAX_SAFE_INTEGER) delete json.maximum;
    },
  }) as JsonSchema;
  requireOneTargetKind(generated);
  return {
    $schema: generated.$schema,
    title: 'o365-exporter configuration',
    description: 'Config file of o365-exporter (--config.file). Generated from src/config/schema.ts; do not edit.',
    ...withoutSchemaKey(generated),
  };
}

function withoutSchemaKey(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/** schema.ts checks "exactly one of url, tcp, dns, stun" in a refinement, which zod cannot export. */
function requireOneTargetKind(schema: JsonSchema): void {
  const target = schema.properties?.targets?.items;
  if (!target?.properties) throw new Error('config JSON Schema: targets[] is not an object schema any more');
  const kinds = ['url', 'tcp', 'dns', 'stun'].filter((k) => target.properties?.[k]);
  target.oneOf = kinds.map((k) => ({ required: [k] }));
}

/**
 * zod drops the default of a schema that transforms (a list of host:port strings, of targets)
 * in "input" mode, since a default is an output value. An empty list or map is the same on
 * both sides, so it is put back: the reference then says what leaving the key out means.
 */
function restoreEmptyDefault(zodSchema: z.core.$ZodType, json: JsonSchema): void {
  const def = zodSchema._zod.def as { type: string; defaultValue?: unknown };
  if (def.type !== 'default' || json.default !== undefined) return;
  const value = def.defaultValue;
  const empty = (Array.isArray(value) && value.length === 0) || (value !== null && typeof value === 'object' && Object.keys(value).length === 0);
  if (empty) json.default = Array.isArray(value) ? [] : {};
}
