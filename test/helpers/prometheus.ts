/**
 * A real Prometheus (Debian `prometheus`) on a random loopback port with a temp config and
 * storage dir, and a query helper polling its HTTP API. Prometheus needs a few seconds
 * before a first scrape shows in a query: poll, don't sleep.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { poll, tempDir, waitForStatus, type ExitStatus } from './process.js';

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

/** A port free right now on 127.0.0.1 (Prometheus has no "listen on 0 and tell me"). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `scrapeConfigs` is the YAML of the `scrape_configs:` list (already indented by two spaces);
 * `topLevelYaml` is appended as is (e.g. `rule_files:` and `alerting:` sections).
 */
export async function startPrometheus(scrapeConfigs: string, globalYaml = '  scrape_interval: 1s\n  evaluation_interval: 1s\n', topLevelYaml = ''): Promise<PrometheusServer> {
  const tmp = tempDir('o365-prometheus-');
  const configFile = join(tmp.dir, 'prometheus.yml');
  writeFileSync(configFile, `global:\n${globalYaml}scrape_configs:\n${scrapeConfigs}\n${topLevelYaml}`);
  const port = await freePort();
  const child = spawn('prometheus', [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(tmp.dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { cwd: tmp.dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    tmp.cleanup();
  });
  const stop = async (): Promise<ExitStatus> => {
    if (!done) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForStatus(`${baseUrl}/-/ready`, 200, 20_000);
  } catch (cause) {
    await stop();
    throw new Error(`prometheus did not get ready: ${String(cause)}\nstderr:\n${err}`);
  }
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
      throw new Error(`${String(e)}; last result: ${JSON.stringify(last)}; prometheus stderr:\n${err}`);
    });
  };
  return { port, baseUrl, stderr: () => err, query, waitFor, stop };
}
