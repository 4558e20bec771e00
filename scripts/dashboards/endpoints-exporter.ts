/** Endpoints and exporter: Microsoft's endpoint list (discovery), targets, reloads, probe rate, scrape health, event loop. */
import { bargauge, dashboard, datasourceVariable, labelVariable, q, row, stat, steps, table, timeseries, upDown, type PanelSpec, type RowSpec } from './build.js';
import type { Dashboard } from './grafana.js';
import { T } from './microsoft.js';
import { UID } from './uids.js';
import { EVENT_LOOP_SAMPLING_MS } from '../../src/metrics/registries.js';
import { LAG_REPORT_MS } from '../../src/scheduler/worker-messages.js';

const SITE = 'site=~"$site"';
/** Exporter instances that exported series in the last hour: `up` has no site label of its own. */
const EXPORTERS = `max by (job, instance, site) (max_over_time(o365_exporter_build_info{${SITE}}[1h]))`;

/** Endpoint discovery (config `discovery:`); these panels are empty on exporters without it. */
const endpoints: (PanelSpec | RowSpec)[] = [
  row('Microsoft 365 endpoint list (web service)'),
  table({
    title: 'Endpoint list version', hide: ['Value'], w: 8,
    description: 'The version of Microsoft\'s IP address and URL list each exporter works from (YYYYMMDDNN). Exporters of one instance showing different versions means one cannot reach the web service.',
    queries: [q(`o365_endpoints_version_info{${SITE}}`, '', { instant: true })],
  }),
  stat({
    title: 'Discovery', mappings: [upDown('OK', 'FAILING')], thresholds: T.ok, w: 4, h: 8,
    description: 'FAILING: the last fetch from the web service failed; the exporter probes the last known list, which drifts as Microsoft publishes changes.',
    queries: [q(`o365_endpoints_discovery_up{${SITE}}`, '{{instance}}')],
  }),
  stat({
    title: 'Last check', unit: 's', decimals: 0, thresholds: steps(['green', null], ['yellow', 2 * 3600], ['red', 6 * 3600]), w: 4, h: 8,
    description: 'Time since the exporter last asked the web service for the list version (hourly by default). Hours more than the interval: discovery is stuck.',
    queries: [q(`time() - o365_endpoints_last_check_timestamp_seconds{${SITE}}`, '{{instance}}')],
  }),
  stat({
    title: 'Last change', unit: 's', decimals: 0, w: 4, h: 8,
    description: 'Time since Microsoft\'s list last changed. Changes come around the start of each month; firewall and proxy rules may need the same change.',
    queries: [q(`time() - o365_endpoints_last_change_timestamp_seconds{${SITE}}`, '{{instance}}')],
  }),
  stat({
    title: 'Targets from the list', w: 4, h: 8,
    description: 'Probe targets made from the endpoint list. A sudden drop after a change means endpoints were removed, or a list that failed to parse.',
    queries: [q(`o365_endpoints_targets{${SITE}}`, '{{instance}}')],
  }),
  stat({
    title: 'URLs changed by the last change', w: 6, h: 6, colorMode: 'value',
    description: 'URLs Microsoft added to and removed from the list in its last change. Removed URLs stop being probed; both may need the same change in firewall, proxy and PAC rules.',
    queries: [q(`o365_endpoints_urls_added{${SITE}}`, 'added'), q(`o365_endpoints_urls_removed{${SITE}}`, 'removed')],
  }),
  bargauge({
    title: 'URLs in the list', unit: 'short', w: 9, h: 6,
    description: 'Distinct URLs of the selected categories by category and kind: concrete (probed), tenant patterns (probed with the tenant filled in) and other wildcards (cannot be probed). Many wildcards mean part of the traffic is not measured.',
    queries: [q(`sum by (category, kind) (o365_endpoints_urls{${SITE}})`, '{{category}} {{kind}}')],
  }),
  bargauge({
    title: 'Endpoint sets', unit: 'short', w: 9, h: 6,
    description: 'Endpoint sets in the list by category and service area, and those that make no probe target (IP-only sets such as Teams media, or no TCP port). A set that is not probed is a blind spot.',
    queries: [
      q(`sum by (category, service_area) (o365_endpoints_sets{${SITE}})`, '{{category}} {{service_area}}'),
      q(`sum by (reason) (o365_endpoints_sets_not_probed{${SITE}})`, 'not probed: {{reason}}'),
    ],
  }),
  timeseries({
    title: 'Web service fetch errors', unit: 'short', min: 0, bars: true, w: 24, h: 6,
    description: 'Failed calls to the web service by reason (429 throttled, 5xx, timeout, bad body). Occasional errors are retried; a steady stream keeps the list stale.',
    queries: [q(`sum by (instance, reason) (increase(o365_endpoints_fetch_errors_total{${SITE}}[$__rate_interval]))`, '{{instance}} {{reason}}')],
  }),
];

const exporter: (PanelSpec | RowSpec)[] = [
  row('Exporter'),
  stat({
    title: 'Scrape', mappings: [upDown()], thresholds: T.ok, w: 4,
    description: 'Whether Prometheus scrapes each exporter. DOWN: no data from that site, so none of its alerts can fire.',
    queries: [q(`up * on (job, instance) group_left (site) ${EXPORTERS}`, '{{site}} {{instance}}')],
  }),
  stat({
    title: 'Config reload', mappings: [upDown('OK', 'FAILED')], thresholds: T.ok, w: 4,
    description: 'FAILED: the last config reload was rejected; the exporter runs the previous config. The error is in its log and in the answer of POST /-/reload.',
    queries: [q(`o365_exporter_config_last_reload_successful{${SITE}}`, '{{instance}}')],
  }),
  stat({
    title: 'Config loaded', unit: 'dateTimeFromNow', w: 4, colorMode: 'value',
    description: 'When the running config was loaded. Older than the last edit of the file: the reload did not happen or was rejected (see Config reload).',
    queries: [q(`o365_exporter_config_last_reload_success_timestamp_seconds{${SITE}} * 1000`, '{{instance}}')],
  }),
  stat({
    title: 'Targets', w: 6, colorMode: 'value',
    description: 'Scheduled targets (target x path) by source: the config file or endpoint discovery. Zero from discovery with discovery on means the list could not be turned into targets.',
    queries: [q(`o365_exporter_targets{${SITE}}`, '{{instance}} {{source}}')],
  }),
  table({
    title: 'Version', hide: ['Value'], w: 6, h: 4,
    description: 'Exporter and Node.js version of each instance. Instances of one fleet on different versions may differ in metrics and defaults.',
    queries: [q(`o365_exporter_build_info{${SITE}}`, '', { instant: true })],
  }),
  timeseries({
    title: 'Probe rate', unit: 'ops', min: 0, w: 8,
    description: 'Probes run per second by each exporter. A drop without a config change means the scheduler stalled.',
    queries: [q(`sum by (site, instance) (rate(o365_probes_total{${SITE}}[$__rate_interval]))`, '{{site}} {{instance}}')],
  }),
  timeseries({
    title: 'Probes in flight and skipped', unit: 'short', min: 0, w: 8,
    description: 'Probes running at once, and scheduled runs skipped because the previous run of the target was still going. Skips mean timeouts longer than intervals or too little concurrency.',
    queries: [
      q(`o365_exporter_probes_in_flight{${SITE}}`, 'in flight {{instance}}'),
      q(`sum by (instance) (increase(o365_exporter_probe_slots_missed_total{${SITE}}[$__rate_interval]))`, 'skipped {{instance}}'),
    ],
  }),
  timeseries({
    title: 'Event loop delay', unit: 's', min: 0, thresholds: steps(['green', null], ['red', 0.05]), w: 8,
    description:
      'How late the exporter\'s event loop ran (p99 since the previous scrape). Above 50 ms (red line) the exporter\'s own timing of phases is disturbed: the numbers on the other dashboards get less precise. ' +
      `With \`scheduler.probe_threads\` set, the probes are timed on their threads: the "probe threads" line is the most delayed thread of each exporter (p99 over its last ${LAG_REPORT_MS / 1000} s). ` +
      `nodejs_eventloop_lag_p99_seconds (prom-client) and the threads' figure count the ${EVENT_LOOP_SAMPLING_MS} ms between the ticks of the sampling timer too (an idle exporter reads ~${EVENT_LOOP_SAMPLING_MS} ms): the panel subtracts it.`,
    queries: [
      q(`clamp_min(nodejs_eventloop_lag_p99_seconds{${SITE}} - ${EVENT_LOOP_SAMPLING_MS / 1000}, 0)`, '{{instance}}'),
      q(`clamp_min(max by (instance) (o365_exporter_probe_thread_eventloop_lag_p99_seconds{${SITE}}) - ${EVENT_LOOP_SAMPLING_MS / 1000}, 0)`, 'probe threads {{instance}}'),
    ],
  }),
  timeseries({
    title: 'Scrape duration', unit: 's', min: 0, w: 12,
    description: 'How long Prometheus takes to scrape each exporter. It should stay far below the scrape timeout: /metrics never waits for a probe.',
    queries: [q(`scrape_duration_seconds * on (job, instance) group_left (site) ${EXPORTERS}`, '{{site}} {{instance}}')],
  }),
  timeseries({
    title: 'Memory', unit: 'bytes', min: 0, w: 12,
    description: 'Resident memory of each exporter. Steady growth with a steady target count is a leak.',
    queries: [q(`process_resident_memory_bytes{${SITE}}`, '{{instance}}')],
  }),
];

export function endpointsAndExporter(): Dashboard {
  return dashboard({
    uid: UID.endpoints.uid,
    title: 'o365-exporter / Endpoints and exporter',
    description: 'Microsoft\'s endpoint list as the exporters see it, and the exporters\' own health: targets, reloads, probe rate, scrapes, event loop.',
    variables: [datasourceVariable(), labelVariable('site', 'Site', 'label_values(o365_exporter_build_info, site)', true)],
    panels: [...endpoints, ...exporter],
  });
}
