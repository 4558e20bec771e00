/**
 * What another process holds, read from /proc (the exporter runs as a child process, so its
 * own process._getActiveHandles() is out of reach): resident memory and open descriptors.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  /** VmRSS in bytes. */
  rssBytes: number;
  /** Entries of /proc/PID/fd: sockets, files, pipes, epoll, eventfd... */
  fds: number;
  /** CPU time used so far (user + system), in seconds: unlike lag, blind to other processes' load. */
  cpuSeconds: number;
}

/** USER_HZ: the unit of utime/stime in /proc/PID/stat (100 on Linux). */
const CLOCK_TICKS = 100;

function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(rssKb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return { rssBytes: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length, cpuSeconds: cpuSecondsOf(pid) };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
