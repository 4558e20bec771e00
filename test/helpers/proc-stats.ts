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
}

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  if (!Number.isFinite(rssKb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return { rssBytes: rssKb * 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
