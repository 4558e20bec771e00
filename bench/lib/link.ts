/**
 * Driving the link emulator (link/link-emulator.py): set the delay, and read back every
 * packet it forwarded with the times it read and wrote it (the wire truth).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/** One forwarded packet. "ab" is near -> far. Times are CLOCK_MONOTONIC nanoseconds. */
export interface Packet {
  dir: 'ab' | 'ba';
  /** Read from the sending side's TUN device. */
  got: number;
  /** Written to the receiving side's TUN device. */
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
}

type Row = ['ab' | 'ba', number, number, number, number, number, number, number, number, number];

export interface Link {
  set(delayMs: number, jitterMs?: number, loss?: number): Promise<void>;
  /** Packets forwarded since the previous dump. */
  dump(): Promise<Packet[]>;
  close(): Promise<void>;
}

export async function startLink(script: string, tunA: string, tunB: string, maxSeconds: number, realtime: boolean): Promise<Link> {
  const argv = ['python3', script, tunA, tunB, String(maxSeconds)];
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
    async set(delayMs, jitterMs = 0, loss = 0) {
      await command(`set ${delayMs} ${jitterMs} ${loss}`);
    },
    async dump() {
      const { packets } = (await command('dump')) as { packets: Row[] };
      return packets.map(([dir, got, sent, due, proto, sport, dport, flags, payload, dnsId]) => ({ dir, got, sent, due, proto, sport, dport, flags, payload, dnsId }));
    },
    async close() {
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}
