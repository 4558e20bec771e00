/**
 * Temporary directories of a bench run (exporter configs, the reference client's build): under
 * the run's own directory once the harness names it, so that its cleanup removes them on every
 * exit path, the watchdog's included, where a scenario's own `finally` never runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let root: string | undefined;

/** Called by the harness with the directory its cleanup removes. */
export function useScratchRoot(dir: string): void {
  root = dir;
}

/** A new directory named `prefix` + random, under the run's directory (else the system's temp). */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(root ?? tmpdir(), prefix));
}
