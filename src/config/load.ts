/**
 * Reading a config file: YAML -> schema -> Config, with every error naming the key path
 * and the file line it came from, e.g. `config.yml:12: targets[2].url: must be an http:// ...`.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_CONFIG_NAME, DEFAULT_CONFIG_YAML, defaultConfigForTenant } from './default.js';
import { configSchema, type Config } from './schema.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${source}:\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedConfig {
  config: Config;
  /** File path, or "<embedded default>". */
  source: string;
  text: string;
}

export async function loadConfigFile(path: string): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  return { config: parseConfig(text, path), source: path, text };
}

/** The embedded default; a tenant (O365_TENANT) adds its SharePoint and OneDrive targets. */
export function loadDefaultConfig(tenant: string | undefined = process.env.O365_TENANT): LoadedConfig {
  const text = tenant ? defaultConfigForTenant(tenant) : DEFAULT_CONFIG_YAML;
  return { config: parseConfig(text, DEFAULT_CONFIG_NAME), source: DEFAULT_CONFIG_NAME, text };
}

export function parseConfig(text: string, source: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => `${source}:${lines.linePos(e.pos[0]).line}: YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const result = configSchema.safeParse(doc.toJS() ?? {});
  if (!result.success) throw new ConfigError(source, describeIssues(result.error, doc, lines, source));
  return result.data;
}

function describeIssues(error: z.ZodError, doc: Document, lines: LineCounter, source: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    const where = lineOf(doc, lines, issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path);
    const message = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
    return `${source}${where ? `:${where}` : ''}: ${formatPath(path) || '(top level)'}: ${message}`;
  });
}

/** Line of the deepest node of `path` that exists in the document. */
function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const keyPath = path.slice(0, depth);
    const node = keyPath.length === 0 ? doc.contents : doc.getIn(keyPath, true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function formatPath(path: readonly (string | number | symbol)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)), '');
}
