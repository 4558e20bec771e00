/**
 * The frame every probe runs in: one deadline, one signal, phases timed and recorded,
 * any failure turned into ProbeResult.failure, cleanups run on every path. A probe
 * built on runPhases never throws and never rejects.
 */
import { now, secondsSince } from '../util/clock.js';
import { abortError, errorMessage } from './errors.js';
import type { Phase, ProbeResult } from './result.js';
import { ProbeError, isProbeError } from './result.js';
import type { ProbeContext, ProbeOptions } from './target.js';

type PartialResult = Partial<Pick<ProbeResult, 'phases' | 'address' | 'dns' | 'tls' | 'http' | 'udp'>>;

/**
 * A ProbeError that carries what was measured before failing, e.g. the chain and
 * handshake time of a certificate that did not verify (TLS-interception diagnostics).
 */
export class PartialFailure extends ProbeError {
  constructor(
    phase: Phase,
    reason: ProbeError['reason'],
    message: string,
    readonly partial: PartialResult,
    options?: { cause?: unknown },
  ) {
    super(phase, reason, message, options);
  }
}

export interface ProbeRun {
  /** Aborted by ctx.signal or by the probe deadline (reason: a DOMException named TimeoutError). */
  readonly signal: AbortSignal;
  /** The result being built: set address/dns/tls/http as soon as they are known. */
  readonly result: ProbeResult;
  /** Seconds left before the deadline (>= 0). */
  remainingSeconds(): number;
  /**
   * Runs one phase: fails fast when already aborted, records `seconds` of what `fn`
   * returns (absent seconds: phase not measured, e.g. no DNS query for an IP literal),
   * and turns an error caused by the abort into that phase's timeout/aborted failure.
   */
  step<T extends { seconds?: number }>(phase: Phase, fn: () => Promise<T>): Promise<T>;
  /** Registers a cleanup (destroy a socket, close a client); run in reverse order on every path. */
  defer(cleanup: () => unknown): void;
}

/** Aborts on ctx.signal or after timeoutSeconds; `release` removes the timer and listener. */
function deadlineSignal(timeoutSeconds: number, outer: AbortSignal): { signal: AbortSignal; release: () => void } {
  // Hand-made rather than AbortSignal.any/timeout: the timer and the listener on the
  // long-lived scheduler signal must be gone as soon as the probe ends.
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort(outer.reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException('probe deadline reached', 'TimeoutError')),
    Math.max(0, timeoutSeconds * 1000),
  );
  if (outer.aborted) onOuterAbort();
  else outer.addEventListener('abort', onOuterAbort, { once: true });
  const release = (): void => {
    clearTimeout(timer);
    outer.removeEventListener('abort', onOuterAbort);
  };
  return { signal: controller.signal, release };
}

function mergePartial(result: ProbeResult, partial: PartialResult): void {
  const { phases, ...details } = partial;
  Object.assign(result, details);
  Object.assign(result.phases, phases);
}

export async function runPhases(
  options: Pick<ProbeOptions, 'timeoutSeconds'>,
  ctx: ProbeContext,
  body: (run: ProbeRun) => Promise<void>,
): Promise<ProbeResult> {
  const start = now();
  const result: ProbeResult = { success: false, startedAt: Date.now(), durationSeconds: 0, phases: {} };
  const { signal, release } = deadlineSignal(options.timeoutSeconds, ctx.signal);
  const cleanups: Array<() => unknown> = [];
  let current: Phase = 'dns';

  const run: ProbeRun = {
    signal,
    result,
    remainingSeconds: () => Math.max(0, options.timeoutSeconds - secondsSince(start)),
    defer: (cleanup) => void cleanups.push(cleanup),
    async step(phase, fn) {
      current = phase;
      if (signal.aborted) throw abortError(signal, phase);
      try {
        const out = await fn();
        if (out.seconds !== undefined) result.phases[phase] = out.seconds;
        return out;
      } catch (err) {
        if (!isProbeError(err) && signal.aborted) throw abortError(signal, phase);
        throw err;
      }
    },
  };

  try {
    await body(run);
    result.success = true;
  } catch (err) {
    if (err instanceof PartialFailure) mergePartial(result, err.partial);
    result.failure = isProbeError(err)
      ? { phase: err.phase, reason: err.reason, message: err.message }
      : { phase: current, reason: 'internal_error', message: errorMessage(err) };
  } finally {
    result.durationSeconds = secondsSince(start);
    release();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // A failing cleanup must not turn a measured result into a rejection.
      }
    }
  }
  return result;
}
