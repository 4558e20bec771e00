/**
 * A real STUN server for tests: Debian coturn's `turnserver` in STUN-only mode on
 * 127.0.0.1:<free port>, polled with Binding Requests until it answers. stop() sends
 * SIGTERM (coturn takes about 2 s to exit), then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBindingResponse, encodeBindingRequest, newTransactionId } from '../../src/probes/stun-packet.js';

export interface Coturn {
  port: number;
  stop(): Promise<void>;
}

/** A UDP port that was free a moment ago (coturn cannot be told to pick one). */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
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

export async function startCoturn(timeoutMs = 15_000): Promise<Coturn> {
  const logDir = mkdtempSync(join(tmpdir(), 'o365-coturn-'));
  const port = await freeUdpPort();
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
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (exited || Date.now() > deadline) {
      const log = logText(logDir);
      await stop();
      throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} (exited: ${exited}); log:\n${log.slice(-2000)}`);
    }
  }
  return { port, stop };
}
