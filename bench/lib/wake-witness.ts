/**
 * The wake witness (witness/wake-witness.c): a process that only sleeps on a timer and notes
 * how late each wake-up comes. Run beside the exporters through the accuracy cases, it shows
 * per case what the host did to a sleeping thread that had nothing else to do; on a VM whose
 * idle CPUs halt, a late wake-up is the host's (2026-12-04: the idle exporter's 15-30 ms
 * event-loop stalls were its thread asleep past its timer, not running or queued).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileC } from './cc.js';
import { lineChannel } from './line-channel.js';
import type { Proc } from './procs.js';

const SOURCE = join(dirname(fileURLToPath(import.meta.url)), '..', 'witness', 'wake-witness.c');

/** A 5 ms timer: 200 wake-ups a second, enough for a p99 in a few seconds, next to nothing of a CPU. */
export const WITNESS_PERIOD_US = 5000;

/** The wake-ups of one window, lateness in ms. */
export interface WakeLateness {
  samples: number;
  p50: number;
  p99: number;
  max: number;
  over5ms: number;
  over10ms: number;
}

export interface WakeWitness {
  /** Ends the current window and starts the next: its wake-ups. */
  window(): Promise<WakeLateness>;
  stop(): Promise<void>;
}

/** Compiles the witness into `buildDir`; undefined and why when it cannot (no cc). */
export function buildWakeWitness(buildDir: string): { binary?: string; reason?: string } {
  try {
    return { binary: compileC(SOURCE, join(buildDir, 'wake-witness')) };
  } catch (err) {
    return { reason: err instanceof Error ? err.message : String(err) };
  }
}

/** One report line, microseconds, as ms. */
export function parseWindow(line: string): WakeLateness {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const num = (key: string) => {
    const v = raw[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`wake-witness: no number "${key}" in ${line}`);
    return v;
  };
  return { samples: num('samples'), p50: num('p50') / 1000, p99: num('p99') / 1000, max: num('max') / 1000, over5ms: num('over5ms'), over10ms: num('over10ms') };
}

/** Drives a started witness (`binary PERIOD_US`). */
export async function wakeWitnessOn(proc: Proc): Promise<WakeWitness> {
  const channel = await lineChannel(proc, 'wake-witness');
  return {
    window: async () => parseWindow(await channel.ask('r')),
    stop: () => channel.close(),
  };
}
