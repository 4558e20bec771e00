/**
 * How far V8 lets the old generation grow past the live heap before its next full GC.
 *
 * A long-running exporter keeps little alive (about 70 MiB at 5,000 targets) but promotes
 * every probe's result and in-flight objects, and by default V8 lets the heap reach about
 * four times the live size before collecting: ~300-340 MiB RSS at 5,000 targets. Growing by
 * 100% instead, measured with `npm run bench` (5,000 targets, 15 s, quiet 2-core machine,
 * Node 20): RSS 312-340 -> 236-249 MiB at the same CPU (72-74% of a core) with every slot on
 * time. `--optimize-for-size` went further (162-185 MiB) but cost 121% CPU and missed slots.
 * 75% since the bench runs the image's Node 22 (its binary alone keeps ~8 MiB more resident):
 * two A/B pairs there, 5,000 targets for 200 s, RSS levelled at 243 / 243 MiB against 251 /
 * 253 with 100%, at 70 / 72% of a core against 67 / 73, /metrics and on-time probes alike.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 75;

/** Called once, first thing, by the long-running server (not by the one-shot CLI). */
export function limitHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
