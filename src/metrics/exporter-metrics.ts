/** The exporter's own health: build, config reloads, scheduling. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ScheduledTarget } from '../config/targets.js';
import type { ResultObserver } from '../scheduler/results.js';
import { VERSION } from '../util/version.js';

export class ExporterMetrics implements ResultObserver {
  readonly reloadSuccessful: Gauge;
  readonly reloadTimestamp: Gauge;
  readonly targets: Gauge<'source'>;
  readonly slotsMissed: Counter<'target'>;
  readonly inFlight: Gauge;

  constructor(registers: Registry[]) {
    new Gauge({ name: 'o365_exporter_build_info', help: 'Version of the exporter and of Node.js, value 1.', labelNames: ['version', 'nodejs_version'], registers }).set(
      { version: VERSION, nodejs_version: process.version },
      1,
    );
    this.reloadSuccessful = new Gauge({ name: 'o365_exporter_config_last_reload_successful', help: 'Whether the last config (re)load succeeded.', registers });
    this.reloadTimestamp = new Gauge({ name: 'o365_exporter_config_last_reload_success_timestamp_seconds', help: 'When the config was last loaded successfully.', registers });
    this.targets = new Gauge({ name: 'o365_exporter_targets', help: 'Scheduled targets (target x path) by where they come from.', labelNames: ['source'], registers });
    this.slotsMissed = new Counter({ name: 'o365_exporter_probe_slots_missed_total', help: 'Scheduled runs skipped because the previous run of the target was still going.', labelNames: ['target'], registers });
    this.inFlight = new Gauge({ name: 'o365_exporter_probes_in_flight', help: 'Probes running now.', registers });
  }

  observe(): void {}

  /** A target removed by a reload takes its series along. */
  forget(target: ScheduledTarget): void {
    this.slotsMissed.remove({ target: target.name });
  }

  configLoaded(ok: boolean): void {
    this.reloadSuccessful.set(ok ? 1 : 0);
    if (ok) this.reloadTimestamp.set(Date.now() / 1000);
  }
}
