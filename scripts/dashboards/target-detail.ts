/** Target detail: one target's phases, histograms, percentiles, HTTP, TLS, DNS and paths. */
import {
  dashboard, datasourceVariable, heatmap, labelVariable, q, row, stat, steps, table, timeseries, upDown, valueMap,
  type PanelSpec, type RowSpec,
} from './build.js';
import type { Dashboard } from './grafana.js';
import { T } from './microsoft.js';
import { UID } from './uids.js';

const SEL = 'site=~"$site", target="$target"';

const now: (PanelSpec | RowSpec)[] = [
  row('Now'),
  stat({
    title: 'Last probe', mappings: [upDown()], thresholds: T.ok, w: 4,
    description: 'Whether the last probe of this target succeeded, per path. DOWN: see Failures below for the phase and reason.',
    queries: [q(`o365_probe_success{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'Availability, last day', unit: 'percentunit', decimals: 2, thresholds: T.availability, w: 4,
    description: 'Share of probes that succeeded over the last 24 hours, from the counters. Below 99.9 % the path is flaky.',
    queries: [q(`o365_target:probe_availability:ratio_rate1d{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'HTTP status', w: 4, thresholds: steps(['green', null], ['red', 500]),
    description: 'Status code of the last answer. Front doors answer 200, 30x, 401 or 403 to an anonymous probe and that is fine; 407 means a proxy wants credentials, 5xx a broken service or proxy.',
    queries: [q(`o365_http_status_code{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'Certificate expires in', unit: 's', decimals: 0, thresholds: T.certExpiry, w: 4,
    description: 'Time left before the first certificate of the served chain expires. Microsoft renews well ahead: under 14 days (yellow, then red) usually means a certificate of an inspecting proxy.',
    queries: [q(`o365_tls_cert_expiry_timestamp_seconds{${SEL}} - time()`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'Probe duration', unit: 's', w: 4, thresholds: steps(['green', null], ['yellow', 0.5], ['red', 2]),
    description: 'Duration of the last probe, all phases. Compare with the phases below to see which one grew.',
    queries: [q(`o365_probe_duration_seconds{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'Data age', unit: 's', decimals: 0, w: 4, thresholds: steps(['green', null], ['yellow', 120], ['red', 600]),
    description: 'Time since the last probe of this target started. It should stay under the probe interval; growing means the scheduler is stuck or the target was dropped from the config or the endpoint list.',
    queries: [q(`time() - o365_probe_timestamp_seconds{${SEL}}`, '{{site}} {{path}}')],
  }),
];

const phases: (PanelSpec | RowSpec)[] = [
  row('Phases'),
  timeseries({
    title: 'Phases of each probe', unit: 's', min: 0, stack: true, w: 24,
    description: 'The waterfall of each probe over time, stacked: dns, connect, proxy_connect, tls, first_byte, transfer. The phase whose band widens is the one that got slower.',
    queries: [q(`o365_probe_phase_seconds{${SEL}}`, '{{site}} {{path}} {{phase}}')],
  }),
  timeseries({
    title: 'Percentiles by phase (5 min)', unit: 's', min: 0,
    description: 'Median, 90th and 99th percentile of each phase over 5 minutes, from the histograms. A p99 far above the median means intermittent slowness (loss, retransmits, an overloaded proxy).',
    queries: [
      q(`o365_target:probe_phase_seconds:p50_5m{${SEL}}`, '{{site}} p50 {{phase}} {{path}}'),
      q(`o365_target:probe_phase_seconds:p90_5m{${SEL}}`, '{{site}} p90 {{phase}} {{path}}'),
      q(`o365_target:probe_phase_seconds:p99_5m{${SEL}}`, '{{site}} p99 {{phase}} {{path}}'),
    ],
  }),
  timeseries({
    title: 'Median vs weekly baseline', unit: 's', min: 0,
    description: 'The median of each phase now against its median over the last week. Twice the baseline for half an hour raises O365LatencyAboveBaseline: something changed in the path.',
    queries: [
      q(`o365_target:probe_phase_seconds:p50_5m{${SEL}, phase=~"connect|tls|first_byte"}`, '{{site}} now {{phase}} {{path}}'),
      q(`o365_target:probe_phase_seconds:p50_5m_median1w{${SEL}, phase=~"connect|tls|first_byte"}`, '{{site}} baseline {{phase}} {{path}}'),
    ],
  }),
];

// The phase histogram has no target label (its series would grow with targets times
// buckets), so the heatmaps show the distribution of the target's whole service.
const heatmapOf = (phase: string, what: string): PanelSpec =>
  heatmap({
    title: `${phase} heatmap, service $service`, w: 6, unit: 's',
    description: `Distribution of ${what} per interval over every target of this target's service ($service), from the histogram (all selected sites together: pick one site to see its own). The histogram carries no target label: this target's own percentiles are in the panel above. A second band higher up means a share of probes takes another, slower way.`,
    queries: [q(`sum by (le) (increase(o365_probe_phase_duration_seconds_bucket{site=~"$site", service="$service", phase="${phase}"}[$__rate_interval]))`, '{{le}}')],
  });

const histograms: (PanelSpec | RowSpec)[] = [
  row('Distributions of the service'),
  heatmapOf('dns', 'DNS resolution times (above 100 ms is slow)'),
  heatmapOf('connect', 'TCP connect times (for Exchange, above 25 ms lowers Microsoft\'s score)'),
  heatmapOf('tls', 'TLS handshake times (inspection adds here)'),
  heatmapOf('first_byte', 'times to first byte (server and proxies)'),
];

const details: (PanelSpec | RowSpec)[] = [
  row('HTTP, TLS, DNS, paths'),
  timeseries({
    title: 'HTTP status code', unit: 'none', decimals: 0, thresholds: steps(['green', null], ['red', 500]),
    description: 'Status code of each answer over time. A change from the usual code (e.g. 401 to 407 or 502) means something in the path started answering instead of Microsoft.',
    queries: [q(`o365_http_status_code{${SEL}}`, '{{site}} {{path}}')],
  }),
  table({
    title: 'TLS and DNS answer', hide: ['instance', 'Value', 'category', 'service'],
    description: 'TLS version, cipher and certificate issuer of the last handshake, the last name of the CNAME chain (e.g. lhr-efz.ms-acdc.office.com names the front door city) and the resolver that answered. An issuer that is not Microsoft or DigiCert means TLS inspection; a remote resolver gets remote front doors.',
    queries: [
      q(`o365_tls_info{${SEL}}`, '', { instant: true }),
      q(`o365_dns_answer_info{${SEL}}`, '', { instant: true }),
      q(`o365_dns_resolver_answer_info{${SEL}}`, '', { instant: true }),
    ],
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true, __name__: true, job: true, instance: true, Value: true, 'Value #A': true, 'Value #B': true, 'Value #C': true }, renameByName: {}, indexByName: {} } },
    ],
  }),
  timeseries({
    title: 'Direct vs proxy', unit: 's', min: 0,
    description: 'Average probe duration per path (direct and each configured proxy) over 5 minutes, and the penalty of each proxy over direct. Microsoft recommends sending Optimize and Allow traffic directly.',
    queries: [
      q(`o365_target:probe_duration_seconds:avg5m{${SEL}}`, '{{site}} {{path}}'),
      q(`o365_target:probe_proxy_penalty_seconds:avg5m{${SEL}}`, '{{site}} penalty {{path}}'),
    ],
  }),
  timeseries({
    title: 'Failures', unit: 'short', min: 0, bars: true, stack: true,
    description: 'Failed probes per interval by phase and reason. Empty is good. tls_untrusted_issuer: TLS inspection; dns_*: the resolver; connect_*: firewall or routing; proxy_auth_required: a proxy in the path.',
    queries: [q(`sum by (site, path, phase, reason) (increase(o365_probe_failures_total{${SEL}}[$__rate_interval]))`, '{{site}} {{path}} {{phase}} {{reason}}')],
  }),
];

/** Front door, interception and the published-range check (needs discovery). */
const diagnostics: (PanelSpec | RowSpec)[] = [
  row('Microsoft diagnostics: front door, interception, published ranges'),
  table({
    title: 'Front door', hide: ['instance', 'Value'], w: 6,
    description: 'The Microsoft front door that served this target: code, city and how it was found (header or CNAME). Far from the site means remote egress or DNS.',
    queries: [q(`o365_frontdoor_info{${SEL}}`, '', { instant: true })],
  }),
  timeseries({
    title: 'Front door distance', unit: 'lengthkm', min: 0, thresholds: T.frontDoor, w: 6,
    description: 'Distance from the site to the front door over time. Above 800 km (red line) Microsoft flags the connection: about 25 ms lost per round trip.',
    queries: [q(`o365_frontdoor_distance_km{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'TLS interception', mappings: [valueMap({ '0': ['none', 'green'], '1': ['INTERCEPTED', 'red'] })], thresholds: T.flag, w: 6, h: 8,
    description: 'INTERCEPTED: the chain was not issued by Microsoft\'s CAs; a proxy or firewall decrypts this traffic.',
    queries: [q(`o365_tls_intercepted{${SEL}}`, '{{site}} {{path}}')],
  }),
  stat({
    title: 'Address in published ranges', mappings: [valueMap({ '0': ['OUTSIDE', 'red'], '1': ['yes', 'green'] })], thresholds: T.ok, w: 6, h: 8,
    description: 'Whether the address this target resolved to lies in the IP ranges Microsoft publishes for it. OUTSIDE: DNS points somewhere Microsoft did not publish (a proxy, a hijack, a stale resolver).',
    queries: [q(`o365_probe_ip_in_published_range{${SEL}}`, '{{site}} {{path}}')],
  }),
];

export function targetDetail(): Dashboard {
  return dashboard({
    uid: UID.target.uid,
    title: 'o365-exporter / Target detail',
    description: 'One Microsoft 365 target: phases over time, histograms and percentiles, HTTP status, certificate, DNS answer, direct vs proxy.',
    variables: [
      datasourceVariable(),
      labelVariable('site', 'Site', 'label_values(o365_probe_success, site)', true),
      labelVariable('target', 'Target', 'label_values(o365_probe_success{site=~"$site"}, target)', false),
      // Follows the target: the service whose distribution the heatmaps show.
      { ...labelVariable('service', 'Service', 'label_values(o365_probe_success{site=~"$site", target="$target"}, service)', false), hide: 2 },
    ],
    panels: [...now, ...phases, ...histograms, ...details, ...diagnostics],
  });
}

