/**
 * A Debian daemon (prometheus, prometheus-alertmanager) started for a test: its temp dir
 * removed when it exits, ready when `readyUrl` answers 200, stopped with SIGTERM (SIGKILL
 * after 10 s). Startup failures, an exit before it was ready included, carry its stderr; a
 * port already in use is a PortTakenError (start it with onFreePort() from ports.ts).
 */
import { spawn } from 'node:child_process';
import { PortTakenError } from './ports.js';
import { waitForStatus, type ExitStatus } from './process.js';

export interface Daemon {
  stderr(): string;
  stop(): Promise<ExitStatus>;
}

export interface DaemonSpec {
  name: string;
  command: string;
  args: string[];
  cwd: string;
  /** Runs once the process has exited (e.g. remove its temp dir). */
  cleanup(): void;
  readyUrl: string;
  readyTimeoutMs: number;
}

export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    spec.cleanup();
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
  // An exit (a port taken, a bad flag) ends the wait at once instead of at the timeout.
  const exitedEarly = exited.then((s) => Promise.reject(new Error(`exited (code ${s.code}, signal ${s.signal}) before it was ready`)));
  exitedEarly.catch(() => {});
  try {
    await Promise.race([waitForStatus(spec.readyUrl, 200, spec.readyTimeoutMs), exitedEarly]);
  } catch (cause) {
    await stop();
    const message = `${spec.name} did not get ready: ${String(cause)}\nstderr:\n${err}`;
    throw err.includes('address already in use') ? new PortTakenError(message) : new Error(message);
  }
  return { stderr: () => err, stop };
}
