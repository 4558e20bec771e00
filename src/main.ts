#!/usr/bin/env node
/** Entry point: flags -> one of serve, probe report, config check. Wiring only. */
import { checkConfig } from './cli/check.js';
import { FlagError, USAGE, parseFlags, parseListenAddress, type Flags } from './cli/flags.js';
import { runReport } from './cli/report.js';
import { ConfigError } from './config/load.js';
import { Exporter } from './exporter.js';
import { createApp } from './server/app.js';
import { close, listen } from './server/listen.js';
import { checkWebConfig, loadWebConfig, WebConfigError, type WebConfig } from './server/web-config.js';
import { createWebListener, type WebListener } from './server/web-tls.js';
import { limitHeapGrowth } from './util/heap-policy.js';
import { createLogger } from './util/log.js';
import { VERSION } from './util/version.js';

async function main(argv: string[]): Promise<number> {
  let flags: Flags;
  try {
    flags = parseFlags(argv);
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) return void process.stdout.write(USAGE), 0;
  if (flags.version) return void process.stdout.write(`o365-exporter ${VERSION} (node ${process.version})\n`), 0;
  if (flags.configCheck) {
    const print = (line: string): void => void process.stdout.write(`${line}\n`);
    const code = await checkConfig(flags.configFile, print);
    return flags.webConfigFile === undefined ? code : Math.max(code, await checkWebConfig(flags.webConfigFile, print));
  }
  if (flags.command === 'probe') return runReport(flags);
  return serve(flags);
}

async function serve(flags: Flags): Promise<number> {
  limitHeapGrowth();
  const logger = createLogger(flags.logLevel, flags.logFormat);
  const { host, port } = parseListenAddress(flags.listenAddress);
  let web: WebConfig | undefined;
  try {
    web = flags.webConfigFile === undefined ? undefined : await loadWebConfig(flags.webConfigFile);
  } catch (err) {
    if (!(err instanceof WebConfigError)) throw err;
    logger.error('invalid web config, not starting', { error: err.message });
    return 1;
  }
  if (web && web.users.size > 0 && !web.tls) logger.warn('basic auth without TLS: passwords cross the network in clear text', { web_config: web.source });
  let exporter: Exporter;
  try {
    exporter = await Exporter.start({ configFile: flags.configFile, logger, storagePath: flags.storagePath });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    logger.error('invalid config, not starting', { error: err.message });
    return 1;
  }
  let webListener: WebListener | undefined;
  const { server, port: bound } = await listen(createApp({ exporter, runProbe: exporter.runProbe }), host, port, (app) => (webListener = createWebListener(app, web, logger)).server);
  logger.info('o365-exporter listening', { version: VERSION, address: `${host ?? ''}:${bound}`, config: exporter.configSource.source, targets: exporter.scheduler.targets.length, tls: web?.tls !== undefined, basic_auth: (web?.users.size ?? 0) > 0 });
  process.on('SIGHUP', () => {
    void exporter.reload();
    if (flags.webConfigFile !== undefined) void webListener?.reload(flags.webConfigFile);
  });
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info('shutting down', { signal });
      void Promise.all([close(server), exporter.stop()]).then(() => resolve(0));
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
