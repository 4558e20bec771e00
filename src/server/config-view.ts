/**
 * GET /config: the running config file as loaded, with secrets redacted: credentials in
 * URLs (util/redact.ts) and the values of keys that name a secret (an Authorization or
 * Cookie request header, a password, a token).
 */
import type { Exporter } from '../exporter.js';
import { redactText } from '../util/redact.js';

/**
 * `key: value` (block or flow style) whose key names a secret anywhere in it: header names
 * come with prefixes (X-Api-Key, X-Auth-Token, Ocp-Apim-Subscription-Key, x-ms-client-secret).
 */
const SECRET_VALUE = /((?:^|[\s{,])["']?[\w-]*(?:auth|cookie|password|passwd|secret|token|api[-_]?key|subscription[-_]?key)[\w-]*["']?\s*:\s*)("[^"]*"|'[^']*'|[^,}\n#]*)/gim;

export function redactConfig(text: string): string {
  return redactText(text).replace(SECRET_VALUE, (_match, key: string, value: string) => (value.trim() ? `${key}REDACTED` : `${key}${value}`));
}

export function configView(exporter: Exporter): string {
  const { source, text } = exporter.configSource;
  return `# o365-exporter running config, from ${source} (secrets redacted)\n${redactConfig(text)}`;
}
