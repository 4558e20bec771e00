/**
 * The two exporters under test, run inside the "near" namespace: this one (built,
 * `node dist/src/main.js`) and Debian's prometheus-blackbox-exporter, and one /probe call
 * read back as phase durations under blackbox_exporter's names (both expose them).
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imageNode } from './image-node.js';
import type { Lab } from './lab.js';
import { parseSamples, value, type Sample } from './prom-text.js';
import { sleep, type Proc } from './procs.js';
import { scratchDir } from './scratch.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN_JS = join(REPO_ROOT, 'dist', 'src', 'main.js');

export type ExporterKind = 'o365' | 'blackbox';

export interface Exporter {
  kind: ExporterKind;
  proc: Proc;
  baseUrl: string;
  stop(): Promise<void>;
}

export interface ProbePhases {
  success: boolean;
  dns?: number;
  connect?: number;
  tls?: number;
  first_byte?: number;
  tlsVersion?: string;
  durationSeconds?: number;
}

async function waitHttp(url: string, proc: Proc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited:\n${proc.output().slice(-2000)}`);
    if (Date.now() > deadline) throw new Error(`${url} not ready in ${timeoutMs} ms:\n${proc.output().slice(-2000)}`);
    await sleep(100);
  }
}

function configDir(yaml: string, file: string): { path: string; cleanup(): void } {
  const dir = scratchDir('o365-bench-exp-');
  writeFileSync(join(dir, file), yaml);
  return { path: join(dir, file), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The node binary this exporter runs on (--exporter-node), as it reports itself. */
export interface ExporterRuntime {
  path: string;
  node: string;
  openssl: string;
}

/**
 * The node this exporter runs on: a path, 'image' (the container image's Node, see
 * image-node.ts) or 'auto' (the image's when npm test has fetched it, else the harness's own).
 * Throws naming the flag when it is not a working node.
 */
export function exporterRuntime(flag: string): ExporterRuntime {
  const path = flag === 'auto' ? (imageNodeIfFetched() ?? process.execPath) : flag === 'image' ? imageNodeOrFlagError() : flag;
  try {
    const out = execFileSync(path, ['-p', 'process.version + " " + process.versions.openssl'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 });
    const [node = '', openssl = ''] = out.trim().split(' ');
    if (!node.startsWith('v')) throw new Error(`printed "${out.trim()}"`);
    return { path, node, openssl };
  } catch (err) {
    throw new Error(`--exporter-node: ${path} is not a working node binary (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
  }
}

function imageNodeIfFetched(): string | undefined {
  try {
    return imageNode();
  } catch {
    return undefined;
  }
}

function imageNodeOrFlagError(): string {
  try {
    return imageNode();
  } catch (err) {
    throw new Error(`--exporter-node=image: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface StartO365Options {
  port?: number;
  /** Wait for the first round of scheduled probes. */
  waitReady?: boolean;
  /** Node binary to run it on (default: the harness's own). */
  node?: string;
}

/** Starts this exporter with `yaml`. */
export async function startO365(lab: Lab, yaml: string, caFile: string, options: StartO365Options = {}): Promise<Exporter> {
  const config = configDir(yaml, 'config.yml');
  const address = `${lab.nearControlAddress}:${options.port ?? 9365}`;
  const proc = lab.exec(lab.near, 'o365-exporter', options.node ?? process.execPath, [
    MAIN_JS, `--config.file=${config.path}`, `--web.listen-address=${address}`, `--storage.path=${dirname(config.path)}`, '--log.level=warn',
  ], { NODE_EXTRA_CA_CERTS: caFile });
  return whenHealthy('o365', proc, `http://${address}`, config.cleanup, options.waitReady);
}

export async function startBlackbox(lab: Lab, yaml: string, port = 9115): Promise<Exporter> {
  const config = configDir(yaml, 'blackbox.yml');
  const address = `${lab.nearControlAddress}:${port}`;
  const proc = lab.exec(lab.near, 'blackbox_exporter', 'prometheus-blackbox-exporter', [
    `--config.file=${config.path}`, `--web.listen-address=${address}`, '--log.level=warn',
  ]);
  return whenHealthy('blackbox', proc, `http://${address}`, config.cleanup);
}

/** The exporter once /-/healthy (and /-/ready when asked) answers; stopped and cleaned up if it never does. */
async function whenHealthy(kind: ExporterKind, proc: Proc, baseUrl: string, cleanup: () => void, waitReady = false): Promise<Exporter> {
  const stop = async () => {
    await proc.stop();
    cleanup();
  };
  try {
    await waitHttp(`${baseUrl}/-/healthy`, proc);
    if (waitReady) await waitHttp(`${baseUrl}/-/ready`, proc, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { kind, proc, baseUrl, stop };
}

export function phasesOf(samples: Sample[]): ProbePhases {
  const http = (phase: string) => value(samples, 'probe_http_duration_seconds', { phase });
  const tlsVersion = samples.find((s) => s.name === 'probe_tls_version_info')?.labels.version;
  return {
    success: value(samples, 'probe_success') === 1,
    dns: value(samples, 'probe_dns_lookup_time_seconds'),
    connect: http('connect'),
    tls: http('tls'),
    first_byte: http('processing'),
    tlsVersion,
    durationSeconds: value(samples, 'probe_duration_seconds'),
  };
}

/** Modules time out at 10 s; this only guards the harness against a hung exporter. */
const PROBE_DEADLINE_MS = 15_000;

/** One /probe call; module names differ per exporter, the output names do not. */
export async function probe(exporter: Exporter, target: string, module: string): Promise<ProbePhases> {
  const url = `${exporter.baseUrl}/probe?target=${encodeURIComponent(target)}&module=${encodeURIComponent(module)}`;
  let text: string;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(PROBE_DEADLINE_MS) });
    text = await res.text();
    if (!res.ok) return { success: false };
  } catch {
    return { success: false };
  }
  return phasesOf(parseSamples(text));
}

export interface Scrape {
  samples: Sample[];
  /** Request to last byte; NaN when the scrape failed. */
  seconds: number;
  bytes: number;
  /** Why the scrape failed (status, or the network error and its cause). */
  error?: string;
}

/** Prometheus' default scrape_timeout is 10 s; a scrape is given a little more before it counts as failed. */
const SCRAPE_DEADLINE_MS = 30_000;

/** GET over a fresh connection: no keep-alive race with the exporter's idle timeout. */
/** A GET that asks for gzip, as Prometheus' scrapes do; resolved at the last byte, then decoded. */
function get(url: string, timeoutMs: number): Promise<{ status: number; body: string; lastByteAt: bigint }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const lastByteAt = process.hrtime.bigint();
        const raw = Buffer.concat(chunks);
        try {
          resolve({ status: res.statusCode ?? 0, body: (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8'), lastByteAt });
        } catch (err) {
          reject(err as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** GET /metrics, timed to the last byte. Never throws: a failed scrape is a result too. */
export async function scrape(exporter: Exporter, only?: readonly string[]): Promise<Scrape> {
  const start = process.hrtime.bigint();
  try {
    const { status, body, lastByteAt } = await get(`${exporter.baseUrl}/metrics`, SCRAPE_DEADLINE_MS);
    const seconds = Number(lastByteAt - start) / 1e9;
    if (status !== 200) return { samples: [], seconds: NaN, bytes: 0, error: `HTTP ${status}: ${body.slice(0, 200)}` };
    return { samples: parseSamples(body, only), seconds, bytes: Buffer.byteLength(body) };
  } catch (err) {
    return { samples: [], seconds: NaN, bytes: 0, error: String(err) };
  }
}
