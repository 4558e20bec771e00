/**
 * `o365-exporter probe`: one round of the configured (or default) probes, printed as a table
 * with verdicts against Microsoft's guidance and what to fix first, or as JSON with --json.
 * Exit 0 only when every probe passed; 1 when one failed or the config is invalid; 2 for
 * an unknown --target.
 */
import { loadConfigFile, loadDefaultConfig, type LoadedConfig } from '../config/load.js';
import { buildTargets, type ScheduledTarget } from '../config/targets.js';
import { runProbe as defaultRunProbe } from '../probes/index.js';
import type { ProbeResult } from '../probes/result.js';
import { Limiter } from '../scheduler/limiter.js';
import type { RunProbe } from '../scheduler/scheduler.js';
import { VERSION } from '../util/version.js';
import type { Flags } from './flags.js';
import { Progress, type ProgressSink } from './progress.js';
import { buildReport, type ReportModel } from './report-model.js';
import { renderText } from './report-text.js';
import { verdictContext } from './verdicts.js';

export interface ReportIo {
  stdout(text: string): void;
  stderr: ProgressSink;
  runProbe?: RunProbe;
}

const processIo: ReportIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: { write: (text) => void process.stderr.write(text), isTTY: Boolean(process.stderr.isTTY) },
};

/** Extra time past a probe's own timeout before it is cut off (the probe should end itself first). */
const ABORT_GRACE_MS = 1000;

export async function runReport(flags: Pick<Flags, 'configFile' | 'json' | 'targets'>, io: ReportIo = processIo): Promise<number> {
  let loaded: LoadedConfig;
  let targets: ScheduledTarget[];
  try {
    loaded = flags.configFile ? await loadConfigFile(flags.configFile) : loadDefaultConfig();
    targets = await buildTargets(loaded.config);
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  if (flags.targets.length) {
    const unknown = flags.targets.filter((n) => !targets.some((t) => t.name === n));
    if (unknown.length) {
      io.stderr.write(`unknown target${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (configured: ${[...new Set(targets.map((t) => t.name))].join(', ')})\n`);
      return 2;
    }
    targets = targets.filter((t) => flags.targets.includes(t.name));
  }
  const startedAt = new Date();
  const runs = await probeAll(targets, loaded.config.scheduler.max_concurrency, io);
  const model = buildReport(runs, verdictContext(loaded.config));
  io.stdout(flags.json ? `${JSON.stringify(toJson(model, loaded.source, startedAt), null, 2)}\n` : renderText(model, loaded.source));
  return model.passed ? 0 : 1;
}

async function probeAll(targets: ScheduledTarget[], concurrency: number, io: ReportIo): Promise<{ target: ScheduledTarget; result: ProbeResult }[]> {
  const run = io.runProbe ?? defaultRunProbe;
  const limiter = new Limiter(concurrency);
  const progress = new Progress(io.stderr, targets.length);
  const never = new AbortController().signal;
  try {
    return await Promise.all(
      targets.map((target) =>
        limiter.run(never, async () => {
          const name = target.path === 'direct' ? target.name : `${target.name} via ${target.path}`;
          progress.started(name);
          const signal = AbortSignal.timeout(target.options.timeoutSeconds * 1000 + ABORT_GRACE_MS);
          const result = await run(target.target, target.options, { signal });
          progress.finished(name, result);
          return { target, result };
        }),
      ),
    );
  } finally {
    progress.end();
  }
}

/** The --json document: stable field names, times in milliseconds and the raw results in seconds. */
function toJson(model: ReportModel, source: string, startedAt: Date) {
  const failed = model.rows.filter((r) => !r.success).length;
  return {
    version: VERSION,
    config: source,
    startedAt: startedAt.toISOString(),
    passed: model.passed,
    summary: { targets: model.rows.length, passed: model.rows.length - failed, failed, warnings: model.rows.reduce((n, r) => n + r.verdicts.filter((v) => v.severity === 'warn').length, 0) },
    targets: model.rows.map((r) => ({
      target: r.target,
      path: r.path,
      service: r.service,
      category: r.category,
      success: r.success,
      phasesMs: Object.fromEntries(Object.entries(r.result.phases).map(([phase, s]) => [phase, Math.round(s * 1e6) / 1e3])),
      status: r.result.http?.statusCode ?? null,
      failure: r.result.failure ?? null,
      frontDoor: r.frontDoor ?? null,
      verdicts: r.verdicts,
      result: r.result,
    })),
    fixFirst: model.fixFirst,
  };
}
