/**
 * The built exporter (`node dist/src/main.js`) as a real child process: a temp config file,
 * listening on 127.0.0.1:0 (the bound port is read from its "listening" log line, so no port
 * race), stderr collected, killed on teardown. Run `npm run build` first: this uses dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const MAIN_JS = join(REPO_ROOT, 'dist', 'src', 'main.js');

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  stdout(): string;
  exited: Promise<ExitStatus>;
  /** Polls stderr until it matches, or fails after `timeoutMs` with what was written. */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` (default SIGTERM), then SIGKILL after `graceMs`; resolves with the exit status. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
}

export interface ExporterProcess extends RunningProcess {
  port: number;
  baseUrl: string;
  configFile: string;
  /** Overwrites the config file (for reload tests). */
  writeConfig(yaml: string): void;
}

function assertBuilt(): void {
  if (!existsSync(MAIN_JS)) throw new Error(`${MAIN_JS} missing: run \`npm run build\` before the process tests`);
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs `node dist/src/main.js args...` and collects its output. `prefix` is a command that
 * execs node in the end (e.g. `ip netns exec NAME`), so the child's pid is still node's.
 */
export function runMain(args: string[], env: NodeJS.ProcessEnv = {}, prefix: string[] = []): RunningProcess {
  assertBuilt();
  const [command = process.execPath, ...rest] = [...prefix, process.execPath];
  const child = spawn(command, [...rest, MAIN_JS, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<ExitStatus>((resolveExit) => child.once('exit', (code, signal) => resolveExit({ code, signal })));
  let done = false;
  void exited.then(() => (done = true));
  const waitForStderr = async (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = err.match(pattern);
      if (match) return match;
      if (done) throw new Error(`process exited before stderr matched ${pattern}; stderr:\n${err}`);
      if (Date.now() > deadline) throw new Error(`stderr did not match ${pattern} within ${timeoutMs} ms; stderr:\n${err}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitStatus> => {
    if (!done) child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return { child, stderr: () => err, stdout: () => out, exited, waitForStderr, stop };
}

/** Starts the exporter on 127.0.0.1:0 with `yaml` as its config and waits for /-/ready (unless told not to). */
export async function startExporter(
  yaml: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; waitReady?: boolean; prefix?: string[]; startTimeoutMs?: number } = {},
): Promise<ExporterProcess> {
  const tmp = tempDir('o365-exporter-');
  const configFile = join(tmp.dir, 'config.yml');
  writeFileSync(configFile, yaml);
  const proc = runMain([`--config.file=${configFile}`, '--web.listen-address=127.0.0.1:0', ...(options.args ?? [])], options.env, options.prefix);
  void proc.exited.then(() => tmp.cleanup());
  try {
    const [, port] = await proc.waitForStderr(/msg="o365-exporter listening".* address=127\.0\.0\.1:(\d+)/, options.startTimeoutMs);
    const baseUrl = `http://127.0.0.1:${port}`;
    if (options.waitReady ?? true) await waitForStatus(`${baseUrl}/-/ready`, 200);
    return { ...proc, port: Number(port), baseUrl, configFile, writeConfig: (text) => writeFileSync(configFile, text) };
  } catch (err) {
    await proc.stop('SIGKILL');
    throw err;
  }
}

/** Polls `url` until it answers `status`. */
export async function waitForStatus(url: string, status: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status === status) return;
      last = `status ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

/** Polls `check` until it returns a value other than undefined. */
export async function poll<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 15_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
