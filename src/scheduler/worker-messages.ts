/**
 * What the main thread and a probe worker say to each other. Targets and options are
 * copied field by field: structured clone turns a URL into an empty object, and an object passed through
 * whole would carry whatever else hangs on it.
 */
import type { ProbeResult } from '../probes/result.js';
import type { ProbeOptions, ProbeTarget, TargetSpec } from '../probes/target.js';

type WireSpec = Exclude<TargetSpec, { kind: 'http' }> | (Omit<Extract<TargetSpec, { kind: 'http' }>, 'url'> & { url: string });
type WireOptions = Omit<ProbeOptions, 'proxy'> & { proxy?: { name: string; url: string } };

/** How often a thread reports its event-loop delay (each report a new window). */
export const LAG_REPORT_MS = 5000;

export interface RunMessage {
  type: 'run';
  id: number;
  target: { name: string; spec: WireSpec };
  options: WireOptions;
}

export interface AbortMessage {
  type: 'abort';
  id: number;
  /** The abort reason's name and message: probes tell a timeout from an abort by the name. */
  name: string;
  message: string;
}

export function abortMessage(id: number, reason: unknown): AbortMessage {
  return reason instanceof Error ? { type: 'abort', id, name: reason.name, message: reason.message } : { type: 'abort', id, name: 'AbortError', message: String(reason ?? 'aborted') };
}

/** The reason as the thread's probe sees it: an Error with the original name and message. */
export function abortReason(message: AbortMessage): Error {
  return Object.assign(new Error(message.message), { name: message.name });
}

export type ToWorker = RunMessage | AbortMessage;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: ProbeResult }
  | { type: 'failed'; id: number; message: string }
  | { type: 'lag'; p50: number; p99: number; max: number };

export function runMessage(id: number, target: ProbeTarget, options: ProbeOptions): RunMessage {
  const { spec } = target;
  const wireSpec: WireSpec = spec.kind === 'http' ? { ...spec, url: spec.url.href, headers: { ...spec.headers } } : { ...spec };
  const { proxy, tls, http, stun, resolvers } = options;
  return {
    type: 'run',
    id,
    target: { name: target.name, spec: wireSpec },
    options: {
      timeoutSeconds: options.timeoutSeconds,
      ipVersion: options.ipVersion,
      resolvers: resolvers.map((r) => ({ host: r.host, port: r.port })),
      tls: { ...tls },
      http: { ...http },
      ...(stun ? { stun: { ...stun } } : {}),
      ...(proxy ? { proxy: { name: proxy.name, url: proxy.url.href } } : {}),
    },
  };
}

export function targetOf(message: RunMessage): ProbeTarget {
  const { spec } = message.target;
  return { name: message.target.name, spec: spec.kind === 'http' ? { ...spec, url: new URL(spec.url) } : spec };
}

export function optionsOf(message: RunMessage): ProbeOptions {
  const { proxy, ...rest } = message.options;
  return { ...rest, ...(proxy ? { proxy: { name: proxy.name, url: new URL(proxy.url) } } : {}) };
}
