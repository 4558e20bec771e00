/**
 * Follows the kernel's log from now on: the records /dev/kmsg gives after the ones already
 * there. For the bench's own safety checks (lib/idle-spinners.ts), not for figures.
 */
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface KernelLogFollower {
  /** The messages logged since the last call (or since the follower began), oldest first. */
  poll(): string[];
  close(): void;
}

// The kernel formats one /dev/kmsg record into at most 8 KiB (CONSOLE_EXT_LOG_MAX, prefix and
// KEY=value lines included); a read into a smaller buffer fails with EINVAL.
const RECORD_BYTES = 8192;

/**
 * The messages in what a read gave: records of "prio,seq,usec,flags[,...];message\n", each
 * followed by its " KEY=value\n" lines (/dev/kmsg gives one record a read, a file many).
 */
export function kmsgMessages(chunk: string): string[] {
  return chunk
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith(' ') && line.includes(';'))
    .map((line) => line.slice(line.indexOf(';') + 1));
}

/** Undefined when the log cannot be opened or read (no /dev/kmsg, or not allowed): the caller goes on without it. */
export function followKernelLog(path = '/dev/kmsg'): KernelLogFollower | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const buffer = Buffer.alloc(RECORD_BYTES);
  // Each read returns one record; EAGAIN once the reader is at the end, EPIPE when records it
  // had not read yet were overwritten (it then goes on from the oldest one left).
  const readAll = (): string[] => {
    const messages: string[] = [];
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buffer, 0, RECORD_BYTES, null);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') continue;
        if (code === 'EAGAIN') return messages;
        throw err;
      }
      if (n === 0) return messages; // a plain file at its end (tests)
      messages.push(...kmsgMessages(buffer.toString('utf8', 0, n)));
    }
  };
  try {
    readAll(); // what was logged before
  } catch {
    closeSync(fd); // opened but not readable as a log (a directory, say)
    return undefined;
  }
  let closed = false;
  return {
    poll: () => (closed ? [] : readAll()),
    close() {
      if (closed) return;
      closed = true;
      closeSync(fd);
    },
  };
}
