/**
 * Timestamps taken from the socket itself, not from undici's callbacks: the first
 * write of the request and the first response bytes pushed into the readable side.
 * undici parses after the push, so its onHeaders would add parsing and scheduling time.
 */
import type { Duplex } from 'node:stream';
import { now } from '../util/clock.js';

export interface SocketTiming {
  /** When the first socket.write (the request head) has handed its bytes to the kernel. */
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

/** Moves the write stamp to when uncork() has flushed the request (it stays at write() otherwise). */
function stampAtUncork(socket: Duplex, timing: SocketTiming): void {
  const uncork = socket.uncork;
  socket.uncork = function (this: Duplex): void {
    uncork.call(this);
    if (socket.writableCorked === 0) {
      timing.written = now();
      socket.uncork = uncork;
    }
  };
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
    socket.write = write;
    timing.written = now();
    const accepted = Reflect.apply(write, this, args) as boolean;
    // Uncorked, write() returns after the head went through TLS and write(2) (a few hundred
    // bytes on a fresh connection: the kernel takes them at once), so the clock starts when
    // the request has left, as Go's WroteRequest does. Corked (a request with a body), the
    // bytes leave at uncork().
    if (socket.writableCorked === 0) timing.written = now();
    else stampAtUncork(socket, timing);
    return accepted;
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
