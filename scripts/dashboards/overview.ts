/** Overview: every service per site at a glance, the latency waterfall, failures, Microsoft's flags. */
import {
  bargauge, dashboard, datasourceVariable, labelVariable, linkTo, q, row, stackedBars, stat, stateTimeline, steps, table, timeseries, upDown, valueMap,
  type PanelSpec, type RowSpec,
} from './build.js';
import type { Dashboard } from './grafana.js';
import { T } from './microsoft.js';
import { UID } from './uids.js';

const SEL = 'site=~"$site", service=~"$service", target=~"$target"';
const toTarget = linkTo(UID.target.uid, UID.target.slug, 'Target detail', { site: '${__field.labels.site}', target: '${__field.labels.target}' });

const health: (PanelSpec | RowSpec)[] = [
  row('Health'),
  stat({
    title: 'Services reachable', w: 24, h: 4, unit: 'percentunit', min: 0, max: 1, thresholds: steps(['red', null], ['orange', 0.01], ['green', 1]),
    description: 'Share of each service\'s targets whose last probe succeeded, per site. 100 %: every endpoint answers. Below: some endpoints fail (see Target health). 0 %: users at that site most likely cannot use the service.',
    queries: [q(`o365_service:probe_success:ratio{site=~"$site", service=~"$service"}`, '{{site}} {{service}}')],
  }),
  stateTimeline({
    title: 'Target health', mappings: [upDown()], thresholds: T.ok, links: [toTarget],
    description: 'Result of every probe of every target (and path: direct or through a proxy) over time. Red stretches are failed probes: the reason is in Failures by reason; click a row for the target\'s detail.',
    queries: [q(`o365_probe_success{${SEL}}`, '{{site}} {{target}} ({{path}})')],
  }),
  bargauge({
    title: 'Availability, last hour', unit: 'percentunit', min: 0.9, max: 1, decimals: 2, thresholds: T.availability, links: [toTarget],
    description: 'Share of probes that succeeded over the last hour, per target, from the probe counters. Below 99.9 % (yellow) the path to Microsoft is flaky; below 99 % (red) users notice.',
    queries: [q(`o365_target:probe_availability:ratio_rate1h{${SEL}}`, '{{site}} {{target}} ({{path}})')],
  }),
  table({
    title: 'Alerts', hide: ['instance', 'category', 'Value'],
    description: 'o365-exporter alerts that are pending or firing for the selected sites. Each alert\'s runbook is linked from its runbook_url annotation in Alertmanager.',
    queries: [q(`ALERTS{alertname=~"O365.*", site=~"$site"}`, '', { instant: true })],
  }),
];

const latency: (PanelSpec | RowSpec)[] = [
  row('Latency'),
  stackedBars({
    title: 'Latency waterfall per target (mean, 5 min)', unit: 's', rowField: 'bar', columnField: 'phase', h: 10,
    description: 'Where the time of one request goes, per site, target and path: DNS resolution, TCP connect, proxy CONNECT, TLS handshake, first byte. A long DNS bar points at a slow or remote resolver, connect at distance to the front door, TLS at inspection, first byte at the service or a proxy.',
    // One bar per site / target / path: the same target name exists at every site.
    queries: [q(`label_join(avg by (site, target, path, phase) (o365_target:probe_phase_seconds:avg5m{${SEL}, phase=~"dns|connect|proxy_connect|tls|first_byte"}), "bar", " / ", "site", "target", "path")`, '{{bar}} {{phase}}')],
  }),
  timeseries({
    title: 'Probe duration', unit: 's', min: 0, h: 10, links: [toTarget],
    description: 'Total duration of the last probe of each target, all phases. A step up that lasts means the route, the egress or the front door changed.',
    queries: [q(`o365_probe_duration_seconds{${SEL}}`, '{{site}} {{target}} ({{path}})')],
  }),
  timeseries({
    title: 'Exchange TCP connect, median', unit: 's', min: 0, thresholds: T.exchangeConnect,
    description: 'Median TCP connect time to Exchange Online over 5 minutes, direct path. Microsoft\'s network assessment scores it 80 (healthy) at 25 ms (yellow line) and 60 at 100 ms (red line): above, egress is far from the site or traffic hairpins through a remote proxy or VPN.',
    queries: [q(`o365_target:probe_phase_seconds:p50_5m{site=~"$site", service="Exchange", target=~"$target", phase="connect", path="direct"}`, '{{site}} {{target}}')],
  }),
  timeseries({
    title: 'DNS resolution, median', unit: 's', min: 0, thresholds: T.dns,
    description: 'Median time to resolve each target over 5 minutes. Microsoft\'s guidance: under 100 ms (red line). Slow resolution is paid by every new connection; a remote resolver also picks a remote front door.',
    queries: [q(`o365_target:probe_phase_seconds:p50_5m{${SEL}, phase="dns"}`, '{{site}} {{target}}')],
  }),
];

const failures: (PanelSpec | RowSpec)[] = [
  row('Failures'),
  timeseries({
    title: 'Failures by reason', unit: 'short', min: 0, bars: true, stack: true,
    description: 'Failed probes per interval by reason (dns_*, connect_*, tls_*, http_*, proxy_*). Any bar is a user-visible failure; the reason says which layer broke: tls_untrusted_issuer usually means TLS inspection, proxy_auth_required a proxy in the path.',
    queries: [q(`sum by (site, reason) (increase(o365_probe_failures_total{${SEL}}[$__rate_interval]))`, '{{site}} {{reason}}')],
  }),
  table({
    title: 'Failing targets, last hour', hide: ['instance'],
    description: 'Failures per target, phase and reason over the last hour. Empty when everything answered.',
    queries: [q(`sum by (site, target, path, phase, reason) (increase(o365_probe_failures_total{${SEL}}[1h])) > 0`, '', { instant: true })],
  }),
];

/** Microsoft's connectivity principles: front door, interception, published ranges, proxies, resolvers, score. */
const microsoftDiagnostics: (PanelSpec | RowSpec)[] = [
  row('Microsoft connectivity principles'),
  table({
    title: 'Front door per service', hide: ['Value'],
    description: 'Which Microsoft front doors answer each service at each site (from response headers or the CNAME chain), their city, and how many targets each serves. A front door in another region means egress or DNS resolution far from the site.',
    queries: [q(`count by (site, service, frontdoor, city) (o365_frontdoor_info{${SEL}})`, '', { instant: true })],
  }),
  bargauge({
    title: 'Front door distance', unit: 'lengthkm', min: 0, max: 3000, thresholds: T.frontDoor,
    description: 'Great-circle distance from the site to the front door that served each target. Microsoft flags more than 800 km (red), about 25 ms of extra round trip.',
    queries: [q(`o365_frontdoor_distance_km{${SEL}}`, '{{site}} {{target}}')],
  }),
  stat({
    title: 'TLS interception', mappings: [valueMap({ '0': ['none', 'green'], '1': ['INTERCEPTED', 'red'] })], thresholds: T.flag, w: 8,
    description: 'INTERCEPTED: the certificate chain of a Microsoft 365 endpoint was not issued by Microsoft\'s CAs, so a proxy or firewall decrypts the traffic. Microsoft asks to bypass inspection for Optimize and Allow endpoints.',
    queries: [q(`max by (site) (o365_tls_intercepted{${SEL}})`, '{{site}}')],
  }),
  stat({
    title: 'Addresses outside published ranges', thresholds: T.flag, w: 8,
    description: 'Targets whose resolved address is not in the IP ranges Microsoft publishes for their endpoint set. Above 0: DNS sends clients somewhere Microsoft did not publish (a proxy, a hijack, a stale resolver).',
    queries: [q(`sum by (site) (1 - o365_probe_ip_in_published_range{${SEL}})`, '{{site}}')],
  }),
  stat({
    title: 'Proxy penalty', unit: 's', thresholds: steps(['green', null], ['yellow', 0.02], ['red', 0.1]), w: 8,
    description: 'How much longer a probe takes through each configured proxy than directly, same target, 5-minute average. Tens of milliseconds or more is the cost Microsoft\'s "egress locally, bypass proxies" guidance removes. Empty when no target is probed through a proxy.',
    queries: [q(`avg by (site, path) (o365_target:probe_proxy_penalty_seconds:avg5m{${SEL}})`, '{{site}} via {{path}}')],
  }),
  table({
    title: 'DNS resolvers', hide: ['instance', 'Value'], w: 16, h: 5,
    description: 'Each resolver the exporter uses and its egress address as seen by an authoritative server (who-am-i). Microsoft picks front doors near the resolver: an egress far from the site (a central or public resolver) gets far front doors.',
    queries: [q(`o365_dns_resolver_info{site=~"$site"}`, '', { instant: true })],
  }),
  stat({
    title: 'Resolver identity check', mappings: [upDown('OK', 'FAILED')], thresholds: T.ok, w: 8, h: 5,
    description: 'Whether the last who-am-i query through each resolver got an answer. FAILED: the resolver\'s egress is unknown (the who-am-i name is blocked or the resolver is down); the exporter log says why.',
    queries: [q(`o365_dns_whoami_success{site=~"$site"}`, '{{resolver}}')],
  }),
  stat({
    title: 'Network assessment score', min: 0, max: 100, thresholds: T.score, w: 24,
    description: 'Microsoft\'s network assessment score per service (0-100), computed like the admin center\'s from the exporter\'s recent results. 80 or more is healthy; below 60 (red) users notice.',
    queries: [q(`o365_network_score{site=~"$site", service=~"$service"}`, '{{site}} {{service}}')],
  }),
];

export function overview(): Dashboard {
  return dashboard({
    uid: UID.overview.uid,
    title: 'o365-exporter / Overview',
    description: 'How well each site reaches Microsoft 365: service health, latency waterfall, failures and Microsoft\'s connectivity flags.',
    variables: [
      datasourceVariable(),
      labelVariable('site', 'Site', 'label_values(o365_probe_success, site)', true),
      labelVariable('service', 'Service', 'label_values(o365_probe_success{site=~"$site"}, service)', true),
      labelVariable('target', 'Target', 'label_values(o365_probe_success{site=~"$site", service=~"$service"}, target)', true),
    ],
    panels: [...health, ...latency, ...failures, ...microsoftDiagnostics],
  });
}
