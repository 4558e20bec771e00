/** The exporter's own health: build, config reloads, scheduling. */
import { Gauge } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import type { ResultObserver } from '../scheduler/results.js';
import { VERSION } from '../util/version.js';
import { familyHeader, formatValue, labelPairs, withConstantLabels, type Chunk, type ExpositionSource } from './exposition.js';
import type { Registries } from './registries.js';

export class ExporterMetrics implements ResultObserver {
  readonly reloadSuccessful: Gauge;
  readonly reloadTimestamp: Gauge;
  readonly targets: Gauge<'source'>;
  readonly inFlight: Gauge;
  /** Missed slots by target name (all paths of a name together). */
  private readonly slotsMissed = new Map<string, number>();

  constructor(registries: Registries) {
    const registers = registries.all;
    new Gauge({ name: 'o365_exporter_build_info', help: 'Version of the exporter and of Node.js, value 1.', labelNames: ['version', 'nodejs_version'], registers }).set(
      { version: VERSION, nodejs_version: process.version },
      1,
    );
    this.reloadSuccessful = new Gauge({ name: 'o365_exporter_config_last_reload_successful', help: 'Whether the last config (re)load succeeded.', registers });
    this.reloadTimestamp = new Gauge({ name: 'o365_exporter_config_last_reload_success_timestamp_seconds', help: 'When the config was last loaded successfully.', registers });
    this.targets = new Gauge({ name: 'o365_exporter_targets', help: 'Scheduled targets (target x path) by where they come from.', labelNames: ['source'], registers });
    registries.sources.push(new SlotsMissedFamily(this.slotsMissed));
    this.inFlight = new Gauge({ name: 'o365_exporter_probes_in_flight', help: 'Probes running now.', registers });
  }

  observe(): void {}

  slotMissed(target: ScheduledTarget): void {
    this.slotsMissed.set(target.name, (this.slotsMissed.get(target.name) ?? 0) + 1);
  }

  /** A target removed by a reload takes its series along. */
  forget(target: ScheduledTarget): void {
    this.slotsMissed.delete(target.name);
  }

  configLoaded(ok: boolean): void {
    this.reloadSuccessful.set(ok ? 1 : 0);
    if (ok) this.reloadTimestamp.set(Date.now() / 1000);
  }
}

/**
 * o365_exporter_probe_slots_missed_total{target}, written by hand: an overloaded exporter
 * misses slots of thousands of targets, and prom-client hashes every series' labels at each
 * scrape (~11 us a series).
 */
class SlotsMissedFamily implements ExpositionSource {
  constructor(private readonly counts: ReadonlyMap<string, number>) {}

  renderInto(out: Chunk[], openMetrics: boolean, constantLabels: Readonly<Record<string, string>>): void {
    const name = 'o365_exporter_probe_slots_missed_total';
    out.push(familyHeader(name, 'Scheduled runs skipped because the previous run of the target was still going.', 'counter', openMetrics));
    for (const [target, n] of this.counts) out.push(`${name}{${labelPairs(withConstantLabels({ target }, constantLabels))}} ${formatValue(n)}\n`);
  }
}
