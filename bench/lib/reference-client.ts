/**
 * The reference client (client/reference-client.c): a blocking C client with OpenSSL that
 * probes beside the two exporters, to show what this lab lets any client measure. It
 * answers with CLOCK_MONOTONIC stamps, the link emulator's clock, so the time between its
 * own stamps and the packets on the wire (the host's system calls, delivery and wake-ups) can
 * be measured, which the exporters' figures cannot show apart.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileC } from './cc.js';
import { lineChannel } from './line-channel.js';
import type { ProbePhases } from './exporters.js';
import type { Proc } from './procs.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'client', 'reference-client.c');
const PHASES = ['dns', 'connect', 'tls', 'first_byte'] as const;

/** A phase's start and end, CLOCK_MONOTONIC nanoseconds. */
export type Span = readonly [number, number];
export type Spans = Partial<Record<(typeof PHASES)[number], Span>>;

export interface ReferenceProbe extends ProbePhases {
  spans: Spans;
  phase?: string;
  error?: string;
}

export interface ReferenceClient {
  probe(host: string, port: number, path: string): Promise<ReferenceProbe>;
  stop(): Promise<void>;
}

/**
 * Compiles the client into `buildDir`; returns undefined and why when it cannot (no cc, no
 * OpenSSL headers): the bench then runs without it.
 */
export function buildReferenceClient(buildDir: string): { binary?: string; reason?: string } {
  try {
    return { binary: compileC(SOURCE, join(buildDir, 'reference-client'), ['-lssl', '-lcrypto']) };
  } catch (err) {
    return { reason: `${err instanceof Error ? err.message : String(err)} (needs gcc and libssl-dev)` };
  }
}

/** Reads one answer line: the C client's JSON, phases turned into seconds. */
export function parseAnswer(line: string): ReferenceProbe {
  const raw = JSON.parse(line) as { success: boolean; tlsVersion?: string; phase?: string; error?: string } & Record<string, unknown>;
  const answer: ReferenceProbe = { success: raw.success === true, spans: {} };
  for (const phase of PHASES) {
    const span = raw[phase];
    if (!Array.isArray(span) || span.length !== 2 || !span.every((n) => typeof n === 'number')) continue;
    const [t0, t1] = span as [number, number];
    answer.spans[phase] = [t0, t1];
    answer[phase] = (t1 - t0) / 1e9;
  }
  if (raw.tlsVersion) answer.tlsVersion = raw.tlsVersion;
  if (raw.phase) answer.phase = raw.phase;
  if (raw.error) answer.error = raw.error;
  return answer;
}

/**
 * Drives a started client (`binary CA_FILE [NAMESERVER[:PORT]]`; the bench starts it in the
 * near namespace, with the exporters' resolv.conf and priority): one probe at a time.
 */
export async function referenceClientOn(proc: Proc): Promise<ReferenceClient> {
  const channel = await lineChannel(proc, 'reference-client');
  return {
    async probe(host, port, path) {
      const line = await channel.ask(`${host} ${port} ${path}`);
      try {
        return parseAnswer(line);
      } catch (err) {
        throw new Error(`reference-client answered "${line}": ${String(err)}`);
      }
    },
    stop: () => channel.close(),
  };
}
