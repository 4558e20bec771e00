/** Command-line flags, Prometheus style (`--config.file`, `--web.listen-address`, ...). */
import { parseArgs } from 'node:util';
import type { LogFormat, LogLevel } from '../util/log.js';

export interface Flags {
  command: 'serve' | 'probe';
  configFile?: string;
  configCheck: boolean;
  listenAddress: string;
  webConfigFile?: string;
  logLevel: LogLevel;
  logFormat: LogFormat;
  storagePath: string;
  /** `probe` command: print JSON. */
  json: boolean;
  /** `probe` command: only these target names. */
  targets: string[];
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: o365-exporter [probe] [flags]

Commands:
  (none)                    run the exporter (scheduled probes, /metrics, /probe)
  probe                     run one round of probes and print a report; exit 0 only if all passed

Flags:
  --config.file=PATH        YAML config (default: the embedded default config)
  --config.check            validate the config and exit 0 (valid) or 1
  --web.listen-address=ADDR address to listen on (default :9365)
  --web.config.file=PATH    TLS and basic auth (Prometheus exporter-toolkit format)
  --storage.path=DIR        data directory (default ./data)
  --log.level=LEVEL         debug|info|warn|error (default info)
  --log.format=FORMAT       logfmt|json (default logfmt)
  --json                    probe: print JSON
  --target=NAME             probe: only this target (repeatable)
  --version, --help
`;

export class FlagError extends Error {
  override readonly name = 'FlagError';
}

export function parseFlags(argv: string[]): Flags {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'config.file': { type: 'string' },
        'config.check': { type: 'boolean', default: false },
        'web.listen-address': { type: 'string', default: ':9365' },
        'web.config.file': { type: 'string' },
        'storage.path': { type: 'string', default: './data' },
        'log.level': { type: 'string', default: 'info' },
        'log.format': { type: 'string', default: 'logfmt' },
        json: { type: 'boolean', default: false },
        target: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', default: false },
      },
    });
  } catch (err) {
    throw new FlagError((err as Error).message);
  }
  const { values: v, positionals } = parsed;
  const command = positionals[0] ?? 'serve';
  if (command !== 'serve' && command !== 'probe') throw new FlagError(`unknown command "${command}"`);
  if (positionals.length > 1) throw new FlagError(`unexpected argument "${positionals[1]}"`);
  return {
    command,
    configFile: v['config.file'],
    configCheck: v['config.check'] ?? false,
    listenAddress: v['web.listen-address'] ?? ':9365',
    webConfigFile: v['web.config.file'],
    storagePath: v['storage.path'] ?? './data',
    logLevel: oneOf(v['log.level'], ['debug', 'info', 'warn', 'error'] as const, '--log.level'),
    logFormat: oneOf(v['log.format'], ['logfmt', 'json'] as const, '--log.format'),
    json: v.json ?? false,
    targets: v.target ?? [],
    help: v.help ?? false,
    version: v.version ?? false,
  };
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T {
  if (allowed.includes(value as T)) return value as T;
  throw new FlagError(`${flag}: "${value}" is not one of ${allowed.join(', ')}`);
}

/** ":9365" -> {host: undefined, port: 9365}; "127.0.0.1:0" -> {host, port}. */
export function parseListenAddress(address: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address);
  if (!match) throw new FlagError(`--web.listen-address: "${address}" is not [host]:port`);
  const port = Number(match[3]);
  if (port > 65535) throw new FlagError(`--web.listen-address: port ${port} out of range`);
  const host = match[1] ?? match[2];
  return { host: host || undefined, port };
}
