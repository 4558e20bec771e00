/**
 * `o365-exporter probe`: one round of the configured probes, printed for a person (or as
 * JSON with --json); exit 0 only when every probe passed.
 */
import { loadConfigFile, loadDefaultConfig } from '../config/load.js';
import { buildTargets, type ScheduledTarget } from '../config/targets.js';
import { runProbe } from '../probes/index.js';
import type { ProbeResult } from '../probes/result.js';
import type { Flags } from './flags.js';

export async function runReport(flags: Flags, out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let targets: ScheduledTarget[];
  try {
    const loaded = flags.configFile ? await loadConfigFile(flags.configFile) : loadDefaultConfig();
    targets = await buildTargets(loaded.config);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return 1;
  }
  if (flags.targets.length) {
    const unknown = flags.targets.filter((n) => !targets.some((t) => t.name === n));
    if (unknown.length) {
      process.stderr.write(`unknown target(s): ${unknown.join(', ')}\n`);
      return 2;
    }
    targets = targets.filter((t) => flags.targets.includes(t.name));
  }
  const results = await Promise.all(targets.map(async (t) => ({ t, r: await runProbe(t.target, t.options, { signal: AbortSignal.timeout((t.options.timeoutSeconds + 1) * 1000) }) })));
  out(flags.json ? `${JSON.stringify(results.map(({ t, r }) => ({ target: t.name, path: t.path, service: t.service, ...r })), null, 2)}\n` : table(results));
  return results.every(({ r }) => r.success) ? 0 : 1;
}

function table(rows: { t: ScheduledTarget; r: ProbeResult }[]): string {
  const ms = (s: number | undefined) => (s === undefined ? '-' : (s * 1000).toFixed(1));
  const lines = rows.map(({ t, r }) =>
    [t.name, t.path, ms(r.phases.dns), ms(r.phases.connect), ms(r.phases.tls), ms(r.phases.first_byte), r.http ? String(r.http.statusCode) : '-', r.success ? 'ok' : `FAIL ${r.failure?.phase}/${r.failure?.reason}`],
  );
  const header = ['target', 'path', 'dns ms', 'connect ms', 'tls ms', 'first byte ms', 'status', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return `${[fmt(header), ...lines.map(fmt)].join('\n')}\n`;
}
