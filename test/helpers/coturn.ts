/**
 * A real STUN server for tests: Debian coturn's `turnserver` in STUN-only mode on
 * 127.0.0.1:<free port>, polled with Binding Requests until it answers (on another port
 * when it finds that one taken between the check and its bind). stop() sends
 * SIGTERM (coturn takes about 2 s to exit), then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBindingResponse, encodeBindingRequest, newTransactionId } from '../../src/probes/stun-packet.js';
import { onFreePort, PortTakenError } from './ports.js';

export interface Coturn {
  port: number;
  stop(): Promise<void>;
}

/** One Binding Request; true when a valid success response came back within `ms`. */
export function answers(port: number, ms = 200): Promise<boolean> {
  const socket = dgram.createSocket('udp4');
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.close(() => resolve(ok));
    };
    const timer = setTimeout(() => done(false), ms);
    socket.on('error', () => {});
    socket.on('message', (msg) => decodeBindingResponse(msg).ok && done(true));
    socket.send(encodeBindingRequest(newTransactionId()), port, '127.0.0.1');
  });
}

function logText(dir: string): string {
  // coturn appends the date to the log file name.
  return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
}

/** `firstPort` (tests of this helper) is tried first instead of a free one. */
export function startCoturn({ timeoutMs = 15_000, firstPort }: { timeoutMs?: number; firstPort?: number } = {}): Promise<Coturn> {
  const deadline = Date.now() + timeoutMs;
  // coturn listens on TCP too, even with --no-tls: the port must be free for both.
  return onFreePort((port) => startOn(port, deadline), { firstPort, udp: true });
}

/**
 * coturn on `port`, polled until it answers; else stopped, and a PortTakenError when its
 * log says "Cannot bind": it then retries the bind for longer than any deadline here.
 */
async function startOn(port: number, deadline: number): Promise<Coturn> {
  const logDir = mkdtempSync(join(tmpdir(), 'o365-coturn-'));
  const args = ['-n', '--listening-ip=127.0.0.1', `--listening-port=${port}`, '--no-tls', '--no-dtls', '--stun-only', '--no-cli', `--log-file=${join(logDir, 'turn.log')}`, '--no-stdout-log'];
  const child: ChildProcess = spawn('turnserver', args, { stdio: 'ignore' });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => ((exited = true), resolve()));
    child.once('error', () => ((exited = true), resolve()));
  });
  const stop = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(kill);
    rmSync(logDir, { recursive: true, force: true });
  };
  while (!(await answers(port))) {
    const log = logText(logDir);
    const portTaken = log.includes('Cannot bind');
    if (portTaken || exited || Date.now() > deadline) {
      const message = `turnserver did not answer STUN on 127.0.0.1:${port} (exited: ${exited}); log:\n${log.slice(-2000)}`;
      await stop();
      throw portTaken ? new PortTakenError(message) : new Error(message);
    }
  }
  return { port, stop };
}
