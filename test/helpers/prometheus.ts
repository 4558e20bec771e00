/**
 * A real Prometheus (Debian `prometheus`) on a random loopback port with a temp config and
 * storage dir, and a query helper polling its HTTP API. Prometheus needs a few seconds
 * before a first scrape shows in a query: poll, don't sleep.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { onFreePort } from './ports.js';
import { poll, tempDir, type ExitStatus } from './process.js';

export interface Sample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusServer {
  port: number;
  baseUrl: string;
  stderr(): string;
  /** Instant query; samples of the resulting vector. */
  query(promql: string): Promise<Sample[]>;
  /** Polls `promql` until `accept` returns true for its samples; returns them. */
  waitFor(promql: string, accept: (samples: Sample[]) => boolean, timeoutMs?: number): Promise<Sample[]>;
  stop(): Promise<ExitStatus>;
}

/**
 * `scrapeConfigs` is the YAML of the `scrape_configs:` list (already indented by two spaces);
 * `topLevelYaml` is appended as is (e.g. `rule_files:` and `alerting:` sections).
 */
export function startPrometheus(scrapeConfigs: string, globalYaml = '  scrape_interval: 1s\n  evaluation_interval: 1s\n', topLevelYaml = ''): Promise<PrometheusServer> {
  return onFreePort((port) => startPrometheusOn(port, `global:\n${globalYaml}scrape_configs:\n${scrapeConfigs}\n${topLevelYaml}`));
}

async function startPrometheusOn(port: number, config: string): Promise<PrometheusServer> {
  // A temp dir per attempt: a daemon that exits removes its own.
  const tmp = tempDir('o365-prometheus-');
  const configFile = join(tmp.dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const baseUrl = `http://127.0.0.1:${port}`;
  const daemon = await startDaemon({
    name: 'prometheus',
    command: 'prometheus',
    args: [`--config.file=${configFile}`, `--storage.tsdb.path=${join(tmp.dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    cwd: tmp.dir,
    cleanup: tmp.cleanup,
    readyUrl: `${baseUrl}/-/ready`,
    readyTimeoutMs: 20_000,
  });
  const query = async (promql: string): Promise<Sample[]> => {
    const res = await fetch(`${baseUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success' || !body.data) throw new Error(`query ${promql} failed: ${body.error ?? res.status}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };
  const waitFor = (promql: string, accept: (samples: Sample[]) => boolean, timeoutMs = 30_000): Promise<Sample[]> => {
    let last: Sample[] = [];
    return poll(promql, async () => {
      last = await query(promql);
      return accept(last) ? last : undefined;
    }, timeoutMs, 250).catch((e: unknown) => {
      throw new Error(`${String(e)}; last result: ${JSON.stringify(last)}; prometheus stderr:\n${daemon.stderr()}`);
    });
  };
  return { port, baseUrl, stderr: daemon.stderr, query, waitFor, stop: daemon.stop };
}
