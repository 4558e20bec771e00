/** Every generated reference document, by path from the repo root (scripts/gen-docs.ts writes them). */
import { configJsonSchema } from '../config/json-schema.js';
import { renderConfigReference } from '../config/reference.js';
import { renderMetricsReference } from './metrics-doc.js';

export function generatedDocs(): Record<string, string> {
  return {
    'docs/configuration.md': renderConfigReference().markdown,
    'docs/config.schema.json': `${JSON.stringify(configJsonSchema(), null, 2)}\n`,
    'docs/metrics.md': renderMetricsReference(),
  };
}

/** Problems that make the docs incomplete even when they are up to date. */
export function undocumented(): string[] {
  return renderConfigReference().missing.map((path) => `config key ${path}: no description or example (src/config/reference-data.ts)`);
}
