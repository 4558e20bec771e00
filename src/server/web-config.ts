/**
 * `--web.config.file`: TLS for the listener and basic auth, in the Prometheus
 * exporter-toolkit format (tls_server_config, http_server_config, basic_auth_users), read
 * strictly like the main config: unknown keys are errors with the file line.
 *
 * One o365-exporter extension, `unauthenticated_paths`, lists endpoints served without
 * basic auth (e.g. /-/healthy for a kubelet probe); exporter-toolkit has no such key.
 * Relative file names are relative to the web config file, as in exporter-toolkit.
 * Error messages never echo a value from the file: a password hash is a secret too.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssues, documentToJs, lineOf } from '../config/load.js';

export const CLIENT_AUTH_TYPES = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Every route of the app (src/server/app.ts): what unauthenticated_paths may name. */
export const KNOWN_PATHS = ['/', '/metrics', '/probe', '/-/healthy', '/-/ready', '/-/reload', '/api/status', '/config'] as const;

/** exporter-toolkit keys this exporter does not implement: named as such, not as "unknown". */
const UNSUPPORTED_TOOLKIT_KEYS = new Set(['cipher_suites', 'curve_preferences', 'prefer_server_cipher_suites', 'client_allowed_sans', 'cert', 'key', 'client_ca', 'rate_limit']);

const TLS_VERSIONS = { TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
const tlsVersion = z.enum(['TLS12', 'TLS13'], { error: 'must be TLS12 or TLS13 (TLS10 and TLS11 are not offered)' });

/** $2a$/$2b$/$2y$, two-digit cost, 22 salt + 31 hash characters: what bcryptjs verifies. */
const BCRYPT_HASH = /^\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}$/;

const tlsServerSchema = z
  .strictObject({
    cert_file: z.string().min(1),
    key_file: z.string().min(1),
    client_auth_type: z.enum(CLIENT_AUTH_TYPES, { error: `must be one of ${CLIENT_AUTH_TYPES.join(', ')}` }).default('NoClientCert'),
    client_ca_file: z.string().min(1).optional(),
    min_version: tlsVersion.default('TLS12'),
    max_version: tlsVersion.default('TLS13'),
  })
  .superRefine((t, ctx) => {
    const verifies = t.client_auth_type === 'VerifyClientCertIfGiven' || t.client_auth_type === 'RequireAndVerifyClientCert';
    if (verifies && !t.client_ca_file) ctx.addIssue({ code: 'custom', path: ['client_ca_file'], message: `required with client_auth_type ${t.client_auth_type}` });
    if (t.client_ca_file && t.client_auth_type === 'NoClientCert') ctx.addIssue({ code: 'custom', path: ['client_auth_type'], message: 'client_ca_file is set but client_auth_type is NoClientCert' });
    if (t.min_version === 'TLS13' && t.max_version === 'TLS12') ctx.addIssue({ code: 'custom', path: ['max_version'], message: 'lower than min_version' });
  });

/** The headers exporter-toolkit lets a user set, with its value rules. */
const headersSchema = z.strictObject({
  'Strict-Transport-Security': z.string().optional(),
  'X-Content-Type-Options': z.literal('nosniff', { error: 'must be nosniff' }).optional(),
  'X-Frame-Options': z.enum(['deny', 'sameorigin'], { error: 'must be deny or sameorigin' }).optional(),
  'X-XSS-Protection': z.string().optional(),
  'Content-Security-Policy': z.string().optional(),
});

export const webConfigSchema = z.strictObject({
  tls_server_config: tlsServerSchema.optional(),
  http_server_config: z
    .strictObject({
      headers: headersSchema.optional(),
      /** Accepted for compatibility; this server speaks HTTP/1.1 either way. */
      http2: z.boolean().optional(),
    })
    .optional(),
  basic_auth_users: z
    .record(
      z.string().regex(/^[^:]+$/, 'a user name cannot be empty or contain ":"'),
      z.string({ error: 'must be a bcrypt hash' }).regex(BCRYPT_HASH, 'not a bcrypt hash (expected $2a$, $2b$ or $2y$ followed by cost and 53 characters)'),
    )
    .optional(),
  unauthenticated_paths: z.array(z.enum(KNOWN_PATHS, { error: `must be one of ${KNOWN_PATHS.join(', ')}` })).default([]),
});

export interface WebTls {
  cert: string;
  key: string;
  ca?: string;
  clientAuth: ClientAuthType;
  minVersion: 'TLSv1.2' | 'TLSv1.3';
  maxVersion: 'TLSv1.2' | 'TLSv1.3';
}

export interface WebConfig {
  source: string;
  tls?: WebTls;
  /** User -> bcrypt hash; empty: no basic auth. */
  users: ReadonlyMap<string, string>;
  headers: Readonly<Record<string, string>>;
  unauthenticatedPaths: ReadonlySet<string>;
}

export class WebConfigError extends Error {
  override readonly name = 'WebConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid web config ${source}:\n  ${problems.join('\n  ')}`);
  }
}

export async function loadWebConfig(path: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new WebConfigError(path, [`cannot read file: ${(err as NodeJS.ErrnoException).code ?? String(err)}`]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new WebConfigError(path, doc.errors.map((e) => `${path}:${lines.linePos(e.pos[0]).line}: YAML: ${e.message.split('\n')[0]}`));
  }
  let value: unknown;
  try {
    value = documentToJs(doc, path);
  } catch (err) {
    throw new WebConfigError(path, err instanceof ConfigError ? err.problems : [String(err)]);
  }
  const parsed = webConfigSchema.safeParse(value ?? {});
  if (!parsed.success) throw new WebConfigError(path, describeIssues(parsed.error, doc, lines, path).map(renameUnsupported));
  const raw = parsed.data;
  const where = (keyPath: string[]): string => `${path}:${lineOf(doc, lines, keyPath) ?? '?'}: ${keyPath.join('.')}`;
  const tls = raw.tls_server_config ? await readTls(raw.tls_server_config, path, where) : undefined;
  return {
    source: path,
    tls,
    users: new Map(Object.entries(raw.basic_auth_users ?? {})),
    headers: Object.fromEntries(Object.entries(raw.http_server_config?.headers ?? {}).filter((e): e is [string, string] => e[1] !== undefined)),
    unauthenticatedPaths: new Set(raw.unauthenticated_paths),
  };
}

/** `unknown key "cipher_suites"` -> a message that says it is a toolkit key not implemented here. */
function renameUnsupported(problem: string): string {
  return problem.replace(/unknown keys? (.*)$/, (whole, keys: string) => {
    const names = [...keys.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '');
    return names.every((n) => UNSUPPORTED_TOOLKIT_KEYS.has(n)) ? `exporter-toolkit key${names.length > 1 ? 's' : ''} ${keys} not supported by o365-exporter` : whole;
  });
}

type TlsInput = z.output<typeof tlsServerSchema>;

/** Reads the PEM files and builds a context once, so a bad key fails at start with its line. */
async function readTls(t: TlsInput, source: string, where: (keyPath: string[]) => string): Promise<WebTls> {
  const baseDir = dirname(resolve(source));
  const problems: string[] = [];
  const read = async (key: 'cert_file' | 'key_file' | 'client_ca_file', file: string | undefined): Promise<string | undefined> => {
    if (file === undefined) return undefined;
    const full = resolve(baseDir, file);
    try {
      const pem = await readFile(full, 'utf8');
      if (!pem.includes('-----BEGIN ')) problems.push(`${where(['tls_server_config', key])}: ${full} holds no PEM data`);
      return pem;
    } catch (err) {
      problems.push(`${where(['tls_server_config', key])}: cannot read ${full}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      return undefined;
    }
  };
  const [cert, key, ca] = [await read('cert_file', t.cert_file), await read('key_file', t.key_file), await read('client_ca_file', t.client_ca_file)];
  if (problems.length === 0 && cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key, ca });
    } catch (err) {
      problems.push(`${where(['tls_server_config', 'key_file'])}: certificate and key do not load together: ${(err as Error).message}`);
    }
  }
  if (problems.length > 0 || cert === undefined || key === undefined) throw new WebConfigError(source, problems);
  return { cert, key, ca, clientAuth: t.client_auth_type, minVersion: TLS_VERSIONS[t.min_version], maxVersion: TLS_VERSIONS[t.max_version] };
}

/** `--config.check` with `--web.config.file`: 0 and a summary when valid, 1 and the problems otherwise. */
export async function checkWebConfig(path: string, out: (line: string) => void): Promise<number> {
  try {
    const web = await loadWebConfig(path);
    out(`web config ${path} is valid: ${web.tls ? `TLS (${web.tls.clientAuth})` : 'no TLS'}, ${web.users.size} basic auth user(s)`);
    return 0;
  } catch (err) {
    if (!(err instanceof WebConfigError)) throw err;
    out(err.message);
    return 1;
  }
}
