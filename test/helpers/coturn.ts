/**
 * A real STUN server for tests: Debian coturn's `turnserver` in STUN-only mode on
 * 127.0.0.1:<free port>, polled with Binding Requests until it answers (on another port
 * when it finds that one taken between the check and its bind). stop() sends
 * SIGTERM (coturn takes about 2 s to exit), then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net, { type AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBindingResponse, encodeBindingRequest, newTransactionId } from '../../src/probes/stun-packet.js';

export interface Coturn {
  port: number;
  stop(): Promise<void>;
}

/**
 * A port that was free a moment ago on both UDP and TCP: coturn listens on both (TCP even
 * with --no-tls) and cannot be told to pick one. Another process may still take it before
 * coturn binds; startCoturn() then tries again on another.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const socket = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => resolve(true));
    });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (udpFree) return port;
  }
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

/** Attempts, each on a fresh port, when coturn finds its port taken. */
const ATTEMPTS = 3;

/** `firstPort` (tests of this helper) is tried first instead of a free one. */
export async function startCoturn({ timeoutMs = 15_000, firstPort }: { timeoutMs?: number; firstPort?: number } = {}): Promise<Coturn> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && firstPort !== undefined ? firstPort : await freePort();
    const started = await startOn(port, deadline);
    if ('port' in started) return started;
    if (!started.portTaken || attempt === ATTEMPTS || Date.now() > deadline) throw started.error;
  }
}

/**
 * coturn on `port`, polled until it answers; or why not (coturn stopped), and whether the
 * port was taken: coturn then logs "Cannot bind" and retries the bind for longer than any
 * deadline here (or exits), so its log decides.
 */
async function startOn(port: number, deadline: number): Promise<Coturn | { error: Error; portTaken: boolean }> {
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
      const error = new Error(`turnserver did not answer STUN on 127.0.0.1:${port} (exited: ${exited}); log:\n${log.slice(-2000)}`);
      await stop();
      return { error, portTaken };
    }
  }
  return { port, stop };
}
