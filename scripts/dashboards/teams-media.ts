/** Teams media: UDP to the Teams relay against Microsoft's targets (RTT 100 ms, jitter 30 ms, loss 1 %). */
import { dashboard, datasourceVariable, heatmap, labelVariable, q, row, stat, stateTimeline, table, timeseries, upDown, type PanelSpec, type RowSpec } from './build.js';
import type { Dashboard } from './grafana.js';
import { T } from './microsoft.js';
import { UID } from './uids.js';

const SEL = 'site=~"$site", target=~"$target"';

/** The STUN probe of the Teams relay (a `stun:` target). */
const udp: (PanelSpec | RowSpec)[] = [
  row('UDP to the Teams relay (STUN)'),
  heatmap({
    title: 'UDP round trip heatmap', unit: 's', w: 12,
    description: 'Distribution of STUN round trips to the Teams relay per interval. Microsoft\'s target is under 100 ms; a band above it means calls from the site lag.',
    queries: [q(`sum by (le) (increase(o365_udp_rtt_seconds_bucket{${SEL}}[$__rate_interval]))`, '{{le}}')],
  }),
  timeseries({
    title: 'UDP round trip, median and p90', unit: 's', min: 0, thresholds: T.teamsRtt, w: 12,
    description: 'Median and 90th percentile of the round trip to the Teams relay over 5 minutes. Above the red line (100 ms, Microsoft\'s client-to-edge target) audio and video lag.',
    queries: [
      q(`o365_target:udp_rtt_seconds:p50_rate5m{${SEL}}`, 'p50 {{site}} {{target}}'),
      q(`o365_target:udp_rtt_seconds:p90_rate5m{${SEL}}`, 'p90 {{site}} {{target}}'),
    ],
  }),
  timeseries({
    title: 'Jitter', unit: 's', min: 0, thresholds: T.teamsJitter, w: 8,
    description: 'Variation of the delay between consecutive STUN answers (RFC 3550 style). Above 30 ms (red line) audio stutters.',
    queries: [q(`o365_udp_jitter_seconds{${SEL}}`, '{{site}} {{target}}')],
  }),
  timeseries({
    title: 'Packet loss', unit: 'percentunit', min: 0, thresholds: T.teamsLoss, w: 8,
    description: 'Share of STUN requests left unanswered, in the last round and over 5 minutes (from the request and response counters). Above 1 % (red line) audio drops out.',
    queries: [
      q(`o365_udp_loss_ratio{${SEL}}`, 'round {{site}} {{target}}'),
      q(`o365_target:udp_loss:ratio_rate5m{${SEL}}`, '5 min {{site}} {{target}}'),
    ],
  }),
  stat({
    title: 'Teams network score', min: 0, max: 100, thresholds: T.score, w: 8, h: 8,
    description: 'Microsoft\'s network assessment score for Teams from UDP latency, jitter and loss (0-100). 80 or more is healthy.',
    queries: [q(`o365_network_score{site=~"$site", service="Teams"}`, '{{site}}')],
  }),
  table({
    title: 'Egress address seen by the relay', hide: ['instance', 'Value', 'category', 'service'], w: 24, h: 5,
    description: 'The public address and port the Teams relay saw the STUN requests come from: the site\'s internet egress for media. An address of another site or of a VPN concentrator means media is backhauled.',
    queries: [q(`o365_udp_mapped_address_info{${SEL}}`, '', { instant: true })],
  }),
  stateTimeline({
    title: 'UDP reachable', mappings: [upDown('UDP', 'BLOCKED')], thresholds: T.ok, h: 6,
    description: 'Whether the relay answered over UDP. BLOCKED: Teams media falls back to TCP 443 with worse quality; open UDP 3478-3481 to Microsoft\'s Teams ranges.',
    queries: [q(`o365_udp_reachable{${SEL}}`, '{{site}} {{target}}')],
  }),
];

const https: (PanelSpec | RowSpec)[] = [
  row('Teams targets (HTTPS signalling and the relay)'),
  stateTimeline({
    title: 'Teams targets', mappings: [upDown()], thresholds: T.ok, h: 6,
    description: 'Every probe of the Teams targets: the web endpoints (sign-in, chat, meeting joins) and the media relay. A web endpoint DOWN with the relay UP: calls would flow but users cannot join them.',
    queries: [q(`o365_probe_success{${SEL}, service="Teams"}`, '{{site}} {{target}} ({{path}})')],
  }),
  timeseries({
    title: 'Teams phases, median', unit: 's', min: 0, w: 24,
    description: 'Median of each phase to the Teams targets over 5 minutes (udp: the whole STUN round to the relay). Slow TLS or first byte slows joining meetings and chat; a slow udp phase slows media.',
    queries: [q(`o365_target:probe_phase_seconds:p50_5m{${SEL}, service="Teams"}`, '{{site}} {{target}} {{phase}}')],
  }),
];

export function teamsMedia(): Dashboard {
  return dashboard({
    uid: UID.teams.uid,
    title: 'o365-exporter / Teams media',
    description: 'Teams media quality from the site: UDP round trip, jitter and loss to the Teams relay against Microsoft\'s targets, and the Teams HTTPS endpoints.',
    variables: [
      datasourceVariable(),
      labelVariable('site', 'Site', 'label_values(o365_probe_success, site)', true),
      labelVariable('target', 'Target', 'label_values(o365_probe_success{site=~"$site", service="Teams"}, target)', true),
    ],
    panels: [...udp, ...https],
  });
}
