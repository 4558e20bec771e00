/**
 * Reading a config file: YAML -> schema -> Config, with every error naming the key path
 * and the file line it came from, e.g. `config.yml:12: targets[2].url: must be an http:// ...`.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
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
  const parsed = parseWithDocument(text, path);
  resolveRelativeFiles(parsed.config, dirname(path));
  const unreadable = await unreadableFiles(parsed.config);
  if (unreadable.length) {
    throw new ConfigError(path, unreadable.map(({ path: keyPath, problem }) => `${path}:${lineOf(parsed.doc, parsed.lines, keyPath) ?? '?'}: ${formatPath(keyPath)}: ${problem}`));
  }
  return { config: parsed.config, source: path, text };
}

/**
 * A relative tls.ca_file is relative to the config file, not to wherever the exporter was
 * started from (a reload from another working directory must find the same file).
 */
function resolveRelativeFiles(config: Config, baseDir: string): void {
  const tlsBlocks = [...config.targets.map((t) => t.tls), ...Object.values(config.modules).map((m) => m.tls)];
  for (const tls of tlsBlocks) {
    if (tls?.ca_file) tls.ca_file = resolve(baseDir, tls.ca_file);
  }
}

/**
 * Files the config names (tls.ca_file) checked at load time, so a missing one is reported
 * like any other config error, with the file line, instead of when targets are built.
 */
async function unreadableFiles(config: Config): Promise<{ path: (string | number)[]; problem: string }[]> {
  const named: { path: (string | number)[]; file: string }[] = [
    ...config.targets.flatMap((t, i) => (t.tls?.ca_file ? [{ path: ['targets', i, 'tls', 'ca_file'], file: t.tls.ca_file }] : [])),
    ...Object.entries(config.modules).flatMap(([name, m]) => (m.tls?.ca_file ? [{ path: ['modules', name, 'tls', 'ca_file'], file: m.tls.ca_file }] : [])),
  ];
  const out: { path: (string | number)[]; problem: string }[] = [];
  for (const { path, file } of named) {
    try {
      if (!(await readFile(file, 'utf8')).includes('-----BEGIN CERTIFICATE-----')) out.push({ path, problem: `${file} holds no PEM certificate` });
    } catch (err) {
      out.push({ path, problem: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` });
    }
  }
  return out;
}

/** The embedded default; a tenant (O365_TENANT) adds its SharePoint and OneDrive targets. */
export function loadDefaultConfig(tenant: string | undefined = process.env.O365_TENANT): LoadedConfig {
  const text = tenant ? defaultConfigForTenant(tenant) : DEFAULT_CONFIG_YAML;
  return { config: parseConfig(text, DEFAULT_CONFIG_NAME), source: DEFAULT_CONFIG_NAME, text };
}

export function parseConfig(text: string, source: string): Config {
  return parseWithDocument(text, source).config;
}

function parseWithDocument(text: string, source: string): { config: Config; doc: Document; lines: LineCounter } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => `${source}:${lines.linePos(e.pos[0]).line}: YAML: ${e.message.split('\n')[0]}`),
    );
  }
  const result = configSchema.safeParse(documentToJs(doc, source) ?? {});
  if (!result.success) throw new ConfigError(source, describeIssues(result.error, doc, lines, source));
  return { config: result.data, doc, lines };
}

/**
 * The document's plain value. toJS() throws (a ReferenceError) on an alias whose anchor is
 * missing and on an alias bomb (more than yaml's maxAliasCount expansions): a config error
 * like any other, not a crash at start.
 */
export function documentToJs(doc: Document, source: string): unknown {
  try {
    return doc.toJS();
  } catch (err) {
    throw new ConfigError(source, [`${source}: YAML: ${err instanceof Error ? err.message : String(err)}`]);
  }
}

export function describeIssues(error: z.ZodError, doc: Document, lines: LineCounter, source: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path as (string | number)[];
    const where = lineOf(doc, lines, issue.code === 'unrecognized_keys' ? [...path, issue.keys[0] ?? ''] : path);
    const message = issue.code === 'unrecognized_keys' ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : messageOf(issue);
    return `${source}${where ? `:${where}` : ''}: ${formatPath(path) || '(top level)'}: ${message}`;
  });
}

/** zod reports a bad record key as "Invalid key in record"; the key's own check says why. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') return `invalid key: ${issue.issues.map((i) => i.message).join('; ')}`;
  return issue.message;
}

/** Line of the deepest node of `path` that exists in the document. */
export function lineOf(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
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
