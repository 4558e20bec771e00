/**
 * The response side of one probe request, as an undici dispatch handler: a promise for the
 * head (status and headers) and one for the end of the body, whose bytes are only counted.
 * Cheaper per probe than Client.request(), which builds a Readable body, an async iterator
 * and its abort plumbing for bytes the probe throws away.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { now } from '../util/clock.js';
import { ProbeError } from './result.js';

export interface ResponseHead {
  statusCode: number;
  headers: IncomingHttpHeaders;
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Either may never be awaited (a rejected status leaves the body unread): no unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class ResponseReader implements Dispatcher.DispatchHandler {
  private readonly headDeferred = deferred<ResponseHead>();
  private readonly endDeferred = deferred<bigint>();
  /** Resolves at the final (>= 200) response head; rejects if the request fails before it. */
  readonly head = this.headDeferred.promise;
  /** Resolves with the time the body ended; rejects if the request fails at any point. */
  readonly end = this.endDeferred.promise;
  bodyBytes = 0;
  private controller: Dispatcher.DispatchController | undefined;
  private pendingAbort: Error | undefined;

  constructor(private readonly maxBodyBytes: number) {}

  /** Ends the request with `reason` (an abort signal's); the promises reject with what undici reports. */
  abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort) controller.abort(this.pendingAbort);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    // 1xx informational heads come before the real one.
    if (statusCode >= 200) this.headDeferred.resolve({ statusCode, headers });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bodyBytes += chunk.length;
    if (this.bodyBytes > this.maxBodyBytes) {
      controller.abort(new ProbeError('transfer', 'http_body_too_large', `body larger than ${this.maxBodyBytes} bytes`));
    }
  }

  onResponseEnd(): void {
    this.endDeferred.resolve(now());
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.headDeferred.reject(error);
    this.endDeferred.reject(error);
  }
}
