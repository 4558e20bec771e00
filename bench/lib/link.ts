/**
 * Driving the link emulator (link/link-emulator.c, or link-emulator.py without a C compiler):
 * set the delay, and read back every packet it forwarded with the times it read and wrote it
 * (the wire truth).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { compileC, hasCompiler } from './cc.js';

const LINK_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'link');

export type LinkKind = 'c' | 'python';

/** How to start an emulator: the program and its leading arguments (the TUN names etc. follow). */
export interface LinkProgram {
  kind: LinkKind;
  argv: string[];
}

/**
 * The C emulator compiled into `buildDir` (`cc -O2`) when asked for or when a compiler is
 * there ("auto"), else the Python one. Asking for "c" without a compiler is an error.
 */
export function linkProgram(want: LinkKind | 'auto', buildDir: string): LinkProgram {
  if (want === 'python' || (want === 'auto' && !hasCompiler())) return { kind: 'python', argv: ['python3', join(LINK_DIR, 'link-emulator.py')] };
  return { kind: 'c', argv: [compileC(join(LINK_DIR, 'link-emulator.c'), join(buildDir, 'link-emulator'))] };
}

/** One forwarded packet. "ab" is near -> far. Times are CLOCK_MONOTONIC nanoseconds. */
export interface Packet {
  dir: 'ab' | 'ba';
  /**
   * Handed to the sending side's TUN device by its host's kernel (kernel timestamps, see
   * `tap`), else read from it by the emulator.
   */
  got: number;
  /** Just before the emulator wrote it to the receiving side's TUN device. */
  sent: number;
  /** When it was due (got + delay + jitter, kept in order). */
  due: number;
  proto: number;
  sport: number;
  dport: number;
  /** TCP flags byte (SYN 0x02, ACK 0x10, FIN 0x01). */
  flags: number;
  /** Bytes after the TCP/UDP header. */
  payload: number;
  /** DNS message id for UDP, -1 otherwise. */
  dnsId: number;
  /**
   * When the emulator read it from the TUN device. With kernel timestamps (`tap`) `got` is
   * earlier: when the sending host handed it to the device; without, the two are the same.
   */
  read: number;
}

type Row = ['ab' | 'ba', number, number, number, number, number, number, number, number, number, number?];

export interface Link {
  kind: LinkKind;
  set(delayMs: number, jitterMs?: number, loss?: number): Promise<void>;
  /** Packets forwarded since the previous dump. */
  dump(): Promise<Packet[]>;
  /**
   * Time packets from when the sending host's kernel handed them to the TUN device (packet
   * sockets in the namespaces the devices now live in), not from the emulator's read. Returns
   * why not when it cannot (the Python emulator, no permission): the link then keeps read times.
   */
  tap(nsA: string, nsB: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function startLink(program: LinkProgram, tunA: string, tunB: string, maxSeconds: number, realtime: boolean): Promise<Link> {
  const argv = [...program.argv, tunA, tunB, String(maxSeconds)];
  const [file, ...args] = realtime ? ['chrt', '--fifo', '20', ...argv] : argv;
  const child: ChildProcessWithoutNullStreams = spawn(file as string, args, { stdio: 'pipe' });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waiting: Array<(line: string) => void> = [];
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  const nextLine = (timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const queued = lines.shift();
      if (queued !== undefined) return resolve(queued);
      const timer = setTimeout(() => reject(new Error(`link emulator silent for ${timeoutMs} ms: ${stderr}`)), timeoutMs);
      void exited.then(() => reject(new Error(`link emulator exited: ${stderr}`)));
      waiting.push((line) => {
        clearTimeout(timer);
        resolve(line);
      });
    });
  const command = async (text: string): Promise<unknown> => {
    child.stdin.write(`${text}\n`);
    return JSON.parse(await nextLine(10_000)) as unknown;
  };
  try {
    const ready = await nextLine(10_000);
    if (ready !== 'ready') throw new Error(`link emulator: unexpected "${ready}"`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    kind: program.kind,
    async set(delayMs, jitterMs = 0, loss = 0) {
      await command(`set ${delayMs} ${jitterMs} ${loss}`);
    },
    async dump() {
      const { packets } = (await command('dump')) as { packets: Row[] };
      return packets.map(([dir, got, sent, due, proto, sport, dport, flags, payload, dnsId, read]) => ({ dir, got, sent, due, proto, sport, dport, flags, payload, dnsId, read: read ?? got }));
    },
    async tap(nsA, nsB) {
      const answer = (await command(`tap ${nsA} ${nsB}`)) as { ok: boolean; error?: string };
      return answer.ok ? undefined : (answer.error ?? 'refused');
    },
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
