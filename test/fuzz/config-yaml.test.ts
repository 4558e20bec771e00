/**
 * The YAML config loaders on hostile text: random strings, YAML-shaped soups of the
 * schema's keys with anchors, aliases, tags and merges, the embedded default config with
 * random damage, and alias bombs. The main config gives a Config or a ConfigError, the web
 * config a WebConfig or a WebConfigError; never another exception.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_YAML } from '../../src/config/default.js';
import { ConfigError, parseConfig } from '../../src/config/load.js';
import { loadWebConfig, WebConfigError } from '../../src/server/web-config.js';
import { tempDir } from '../helpers/process.js';

const RUNS = { numRuns: 500, interruptAfterTimeLimit: 10_000 };
const tmp = tempDir('o365-fuzz-config-');
afterAll(() => tmp.cleanup());

function configOrConfigError(text: string): void {
  try {
    const config = parseConfig(text, 'fuzz.yml');
    expect(Array.isArray(config.targets)).toBe(true);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.problems.length).toBeGreaterThan(0);
    for (const p of err.problems) expect(p.startsWith('fuzz.yml')).toBe(true);
  }
}

const KEYS = ['labels', 'tenant', 'resolvers', 'location', 'lat', 'lon', 'city', 'defaults', 'interval', 'timeout', 'ip_version', 'via', 'max_body_bytes', 'scheduler', 'max_concurrency', 'probe', 'allowed_targets', 'max_concurrent', 'proxies', 'name', 'url', 'modules', 'prober', 'tls', 'ca_file', 'server_name', 'insecure_skip_verify', 'targets', 'service', 'category', 'tcp', 'dns', 'stun', 'method', 'headers', 'valid_status_codes', 'discovery', 'enabled', 'instance', 'categories', 'service_areas', 'diagnostics', 'tls_issuers', 'whoami', 'score_window', '__proto__', 'constructor', '<<'];
const SCALARS = ['30s', '0s', '-1s', '1h', '500ms', '10', '-1', '1e309', '0x10', 'true', 'null', '~', '""', "''", 'direct', 'ipv4', 'https://outlook.office365.com/', 'http://u:p@proxy:3128', 'outlook.office365.com:443', '[::1]:53', 'Optimize', 'London', '*a', '&a x', '!!binary aGk=', '!!js/function "f"', '!!timestamp 2001-12-14', '{}', '[]', '[a, b', '{a: 1', '|', '>', '- x', '? x', '%YAML 1.2', '---', '...', '#', '@', '`', '\t'];

/** Lines of `key: value`, list items and flow values at random indents. */
const yamlSoup = fc
  .array(fc.tuple(fc.nat(6), fc.constantFrom('', '- ', '? ', '&a ', '<<: '), fc.constantFrom(...KEYS), fc.constantFrom(':', ': ', ' :', ''), fc.constantFrom(...SCALARS)), { maxLength: 30 })
  .map((lines) => lines.map(([indent, prefix, key, colon, value]) => `${' '.repeat(indent)}${prefix}${key}${colon}${value}`).join('\n'));

/** The embedded default with lines dropped, doubled or edited. */
const damagedDefault = fc.array(fc.tuple(fc.nat(), fc.constantFrom('drop', 'double', 'edit', 'indent'), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 6 }).map((edits) => {
  const lines = DEFAULT_CONFIG_YAML.split('\n');
  for (const [at, how, text] of edits) {
    const i = at % lines.length;
    const line = lines[i] ?? '';
    if (how === 'drop') lines.splice(i, 1);
    else if (how === 'double') lines.splice(i, 0, line);
    else if (how === 'indent') lines[i] = ` ${line}`;
    else lines[i] = line.slice(0, at % (line.length + 1)) + text + line.slice(at % (line.length + 1));
  }
  return lines.join('\n');
});

const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]', 'e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]', 'f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]'].join('\n');

describe('main config loader', () => {
  it('random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), configOrConfigError), RUNS);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), configOrConfigError), RUNS);
  });

  it('YAML-shaped soups of the schema keys, anchors, tags and merges', () => fc.assert(fc.property(yamlSoup, configOrConfigError), { ...RUNS, numRuns: 1500 }));

  it('the default config with random damage', () => {
    fc.assert(fc.property(damagedDefault, configOrConfigError), RUNS);
    expect(parseConfig(DEFAULT_CONFIG_YAML, 'default').targets.length).toBeGreaterThan(0);
  });

  it('an alias bomb and deep nesting are a ConfigError', () => {
    expect(() => parseConfig(ALIAS_BOMB, 'fuzz.yml')).toThrow(/^invalid config fuzz\.yml:\n {2}fuzz\.yml: YAML: Excessive alias count/);
    expect(() => parseConfig('targets: *nowhere', 'fuzz.yml')).toThrow(/fuzz\.yml: YAML: Unresolved alias/);
    expect(() => parseConfig(`${'['.repeat(5000)}${']'.repeat(5000)}`, 'fuzz.yml')).toThrow(ConfigError);
    expect(() => parseConfig('targets:\n' + '  '.repeat(1) + '- '.repeat(3000) + 'x', 'fuzz.yml')).toThrow(ConfigError);
  });
});

describe('web config loader', () => {
  const WEB_KEYS = ['tls_server_config', 'cert_file', 'key_file', 'client_auth_type', 'client_ca_file', 'min_version', 'max_version', 'http_server_config', 'headers', 'http2', 'basic_auth_users', 'unauthenticated_paths', 'X-Frame-Options', 'cipher_suites', 'prometheus', 'RequireAndVerifyClientCert', 'TLS13'];
  const webSoup = fc
    .array(fc.tuple(fc.nat(4), fc.constantFrom('', '- '), fc.constantFrom(...WEB_KEYS), fc.constantFrom(': ', ':'), fc.constantFrom(...SCALARS, '$2y$10$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01', '/-/healthy', 'missing.pem')), { maxLength: 15 })
    .map((lines) => lines.map(([i, p, k, c, v]) => `${' '.repeat(i)}${p}${k}${c}${v}`).join('\n'));
  let n = 0;

  it('random text and YAML soups: a WebConfig or a WebConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(webSoup, fc.string({ maxLength: 200 }), fc.constant(ALIAS_BOMB)), async (text) => {
        const file = join(tmp.dir, `web-${++n}.yml`);
        writeFileSync(file, text);
        try {
          await loadWebConfig(file);
        } catch (err) {
          if (!(err instanceof WebConfigError)) throw err;
          expect(err.problems.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400, interruptAfterTimeLimit: 10_000 },
    );
  });
});
