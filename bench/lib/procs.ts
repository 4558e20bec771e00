/**
 * Child processes of the bench (exporters, peers, wrk) and what /proc says about them:
 * CPU seconds (utime + stime), current and peak RSS. Every process started here is
 * registered, so one `stopAll()` in the harness's finally ends them all, even on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

export interface Proc {
  name: string;
  child: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<number | null>;
  /** Polls the output until it matches, or throws with what was written. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

const running = new Set<Proc>();
const CLK_TCK = 100; // getconf CLK_TCK on Linux x86_64 and arm64

export function start(name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const keep = (chunk: string) => {
    out += chunk;
    if (out.length > 1_000_000) out = out.slice(-500_000); // a chatty peer must not eat memory
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const proc: Proc = {
    name,
    child,
    pid: child.pid,
    output: () => out,
    exited,
    async waitFor(pattern, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const match = out.match(pattern);
        if (match) return match;
        if (done) throw new Error(`${name} exited before printing ${pattern}:\n${out.slice(-2000)}`);
        if (Date.now() > deadline) throw new Error(`${name} did not print ${pattern} within ${timeoutMs} ms:\n${out.slice(-2000)}`);
        await sleep(20);
      }
    },
    async stop() {
      running.delete(proc);
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(proc);
  return proc;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Field `n` of /proc/<pid>/stat, numbered as in proc(5): 3 the state, 14 utime, 19 nice, 41 policy. */
export function statField(pid: number, n: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const field = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3];
  if (field === undefined) throw new Error(`/proc/${pid}/stat has no field ${n}`);
  return field;
}

/** utime + stime of a process, in seconds (fields 14 and 15 of /proc/<pid>/stat). */
export function cpuSeconds(pid: number): number {
  return (Number(statField(pid, 14)) + Number(statField(pid, 15))) / CLK_TCK;
}

/** VmRSS and VmHWM (peak) in bytes. */
export function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Resets VmHWM to the current RSS, so a peak can be measured per step (clear_refs "5"). */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}

/** Busy and stolen CPU seconds (all cores) from /proc/stat's text: its first, "cpu", line. */
export function procStatSeconds(text: string): { busy: number; steal: number } {
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/);
  if (fields[0] !== 'cpu') throw new Error(`/proc/stat: no cpu line first (${fields[0] ?? 'empty'})`);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields.slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / CLK_TCK, steal: steal / CLK_TCK };
}

/**
 * The machine's CPU seconds so far (all cores): busy (everything, not only the bench, to
 * report load beside the processes') and stolen (the hypervisor gave the vCPUs to someone else
 * while they had work: time no clock in the guest can account for, so a case measured while
 * it ran is disturbed for every client alike). One read of /proc/stat.
 */
export function machineCpuSeconds(): { busy: number; steal: number } {
  return procStatSeconds(readFileSync('/proc/stat', 'utf8'));
}

/** Pids of the processes whose command line holds `text` (this process excepted). */
export function pidsNaming(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text)) pids.push(pid);
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

/**
 * Waits up to `waitMs` for every process naming `text` to exit, then kills what is left. For
 * tools that leave children behind when they return: Chromium's zygotes outlived the browser
 * by a moment, and a bench run that exited then left them running (seen in a test of
 * --max-minutes). Synchronous, for the synchronous PNG step.
 */
export function reapNaming(text: string, waitMs: number): number[] {
  const deadline = Date.now() + waitMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  let left = pidsNaming(text);
  while (left.length > 0 && Date.now() < deadline) {
    Atomics.wait(pause, 0, 0, 20);
    left = pidsNaming(text);
  }
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  return left;
}
