/**
 * Timestamps taken from the socket itself, not from undici's callbacks: the first
 * write of the request and the first response bytes pushed into the readable side.
 * undici parses after the push, so its onHeaders would add parsing and scheduling time.
 */
import type { Duplex } from 'node:stream';
import { now } from '../util/clock.js';

export interface SocketTiming {
  /** First socket.write (the request head). */
  written?: bigint;
  /** First non-empty chunk pushed after the request was written. */
  firstByte?: bigint;
  /** From the status line of the first chunk, e.g. '1.1'. */
  httpVersion?: string;
}

type Push = Duplex['push'];
type Write = Duplex['write'];

function versionOf(chunk: unknown): string | undefined {
  if (!Buffer.isBuffer(chunk)) return undefined;
  return /^HTTP\/(\d(?:\.\d)?) /.exec(chunk.subarray(0, 16).toString('latin1'))?.[1];
}

/**
 * Wraps socket.write and socket.push once each (instance properties shadowing the
 * prototype; Node's stream reader calls `stream.push(buf)`), restoring them after the
 * first hit so the rest of the transfer runs untouched.
 */
export function instrument(socket: Duplex): SocketTiming {
  const timing: SocketTiming = {};
  const write = socket.write;
  const push = socket.push;
  socket.write = function (this: Duplex, ...args: unknown[]): boolean {
    // Before the call, not after it returns: the request reaches the wire inside write(2), and a
    // thread descheduled in that call can return milliseconds after the answer arrived. Stamped
    // after, first_byte came out up to 6 ms below the wire truth in the bench (2 cores, busy).
    timing.written = now();
    socket.write = write;
    return Reflect.apply(write, this, args) as boolean;
  } as Write;
  socket.push = function (this: Duplex, chunk: unknown, encoding?: BufferEncoding): boolean {
    const arrived = now();
    const hasBytes = chunk !== null && (chunk as { length?: number }).length !== 0;
    if (timing.written !== undefined && hasBytes) {
      timing.firstByte = arrived;
      timing.httpVersion = versionOf(chunk);
      socket.push = push;
    }
    return push.call(this, chunk, encoding);
  } as Push;
  return timing;
}
