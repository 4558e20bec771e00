/**
 * Waiting for one socket event with a signal and an optional own deadline, settling
 * exactly once and detaching every listener and timer on the way out.
 */
import { abortError, timeoutReason } from './errors.js';
import type { Phase } from './result.js';
import { ProbeError } from './result.js';

export interface Settle<T> {
  resolve(value: T): void;
  reject(err: ProbeError): void;
}

/**
 * `attach` registers the event listeners, calling resolve/reject, and returns the
 * function that removes them. Abort and the own timeout reject with the phase's
 * timeout/aborted failure.
 */
export function waitFor<T>(
  phase: Phase,
  signal: AbortSignal,
  timeoutSeconds: number | undefined,
  attach: (settle: Settle<T>) => () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let detach: () => void = () => {};
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      detach();
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    const settle: Settle<T> = {
      resolve: (value) => (finish(), resolve(value)),
      reject: (err) => (finish(), reject(err)),
    };
    const onAbort = (): void => settle.reject(abortError(signal, phase));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    if (timeoutSeconds !== undefined) {
      const ms = Math.max(0, timeoutSeconds * 1000);
      timer = setTimeout(() => settle.reject(new ProbeError(phase, timeoutReason(phase), `${phase} timed out`)), ms);
    }
    detach = attach(settle);
    // attach may have settled synchronously, before detach was known.
    if (done) detach();
  });
}
