/**
 * Every metric the exporter can emit, with what a reader of a dashboard needs to know.
 * docs/metrics.md is rendered from this list (scripts/gen-docs.ts), and test/docs/ scrapes a
 * running exporter and scans src/metrics/ so that a metric missing here fails the build.
 * Adding a metric: add its entry here, then `npm run docs`.
 */
import { TARGET_LABELS } from './labels.js';
import { EVENT_LOOP_SAMPLING_MS } from './registries.js';

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricDoc {
  name: string;
  type: MetricType;
  /** Label names besides the registry-wide `labels:` from the config. */
  labels: readonly string[];
  /** Base unit, or "1" for counts, states and ratios, "info" for _info gauges (value 1). */
  unit: string;
  meaning: string;
  /** Which probe, diagnostic or part of the exporter produces it. */
  source: string;
}

export interface MetricGroup {
  title: string;
  /** Where the metrics are served. */
  endpoint: '/metrics' | '/probe';
  intro: string;
  metrics: MetricDoc[];
}

const T = TARGET_LABELS;

export const METRIC_GROUPS: MetricGroup[] = [
  {
    title: 'Probe results',
    endpoint: '/metrics',
    intro: 'One series set per scheduled target and path (`target`, `service`, `category`, `path`), except the phase histogram, which is per service, category and path. Gauges describe the last probe and are computed from the results kept in memory, so a removed target leaves no stale series.',
    metrics: [
      { name: 'o365_probes_total', type: 'counter', labels: T, unit: '1', meaning: 'Probes run.', source: 'every probe' },
      { name: 'o365_probe_failures_total', type: 'counter', labels: [...T, 'phase', 'reason'], unit: '1', meaning: 'Failed probes by the phase that failed and the closed reason set (src/probes/result.ts). Failure ratio = increase(failures) / increase(probes).', source: 'every probe' },
      { name: 'o365_probe_phase_duration_seconds', type: 'histogram', labels: ['service', 'category', 'path', 'phase'], unit: 'seconds', meaning: 'Duration of each phase (dns, connect, proxy_connect, tls, first_byte, transfer, udp) of every probe, all targets of a service, category and path together (no `target` label: 20 series per phase and target made most of a scrape); buckets from 1 ms to 10 s. Per-service percentiles: o365_service:probe_phase_duration_seconds:p50_rate5m etc.; per-target percentiles come from o365_probe_phase_seconds (o365_target:probe_phase_seconds:p50_5m etc.).', source: 'every probe' },
      { name: 'o365_probe_success', type: 'gauge', labels: T, unit: '1', meaning: 'Whether the last probe succeeded (1) or not (0).', source: 'every probe' },
      { name: 'o365_probe_duration_seconds', type: 'gauge', labels: T, unit: 'seconds', meaning: 'Duration of the last probe, all phases.', source: 'every probe' },
      { name: 'o365_probe_timestamp_seconds', type: 'gauge', labels: T, unit: 'seconds', meaning: 'Unix time the last probe started; time() minus this is the age of the data.', source: 'every probe' },
      { name: 'o365_probe_phase_seconds', type: 'gauge', labels: [...T, 'phase'], unit: 'seconds', meaning: 'Duration of each phase of the last probe; a phase that was not reached has no series (never 0).', source: 'every probe' },
      { name: 'o365_http_status_code', type: 'gauge', labels: T, unit: '1', meaning: 'HTTP status code of the last answer.', source: 'HTTP(S) probe' },
      { name: 'o365_tls_cert_expiry_timestamp_seconds', type: 'gauge', labels: T, unit: 'seconds', meaning: 'Earliest not-after (Unix time) of the certificates the server sent.', source: 'TLS phase' },
      { name: 'o365_tls_info', type: 'gauge', labels: [...T, 'version', 'cipher', 'issuer'], unit: 'info', meaning: 'TLS version, cipher and issuer of the leaf certificate of the last handshake. The probe offers the TLS 1.3 suites in the order Edge and Chrome do (AES-128-GCM first); the cipher is the server\'s pick among them.', source: 'TLS phase' },
      { name: 'o365_dns_answer_info', type: 'gauge', labels: [...T, 'cname_tail'], unit: 'info', meaning: 'Last name of the CNAME chain of the last answer (for Exchange it names the front door, e.g. lhr-efz.ms-acdc.office.com).', source: 'DNS phase' },
    ],
  },
  {
    title: 'Exporter',
    endpoint: '/metrics',
    intro: `The exporter's own health. Node.js process metrics (\`process_*\`, \`nodejs_*\` from prom-client's default collectors: CPU, memory, event loop lag, GC, handles) are also served and are not listed one by one. prom-client's \`nodejs_eventloop_lag_p50/p90/p99/max_seconds\` are the intervals between the ticks of a ${EVENT_LOOP_SAMPLING_MS} ms sampling timer, those ${EVENT_LOOP_SAMPLING_MS} ms included (an idle exporter reads ~${(EVENT_LOOP_SAMPLING_MS / 1000).toFixed(3)} s); the delay is the value minus ${EVENT_LOOP_SAMPLING_MS / 1000} (the exporter dashboard's panel subtracts it).`,
    metrics: [
      { name: 'o365_exporter_build_info', type: 'gauge', labels: ['version', 'nodejs_version'], unit: 'info', meaning: 'Version of the exporter and of Node.js.', source: 'exporter' },
      { name: 'o365_exporter_config_last_reload_successful', type: 'gauge', labels: [], unit: '1', meaning: 'Whether the last config (re)load succeeded; 0 means the previous config is still running.', source: 'config reload' },
      { name: 'o365_exporter_config_last_reload_success_timestamp_seconds', type: 'gauge', labels: [], unit: 'seconds', meaning: 'Unix time of the last successful config load.', source: 'config reload' },
      { name: 'o365_exporter_targets', type: 'gauge', labels: ['source'], unit: '1', meaning: 'Scheduled targets (target x path) by origin: config or discovery.', source: 'scheduler' },
      { name: 'o365_exporter_probe_slots_missed_total', type: 'counter', labels: ['target'], unit: '1', meaning: 'Scheduled runs skipped because the previous run of the target had not finished (interval shorter than the probe).', source: 'scheduler' },
      { name: 'o365_exporter_probes_in_flight', type: 'gauge', labels: [], unit: '1', meaning: 'Scheduled probes running now.', source: 'scheduler' },
      { name: 'o365_exporter_probe_threads', type: 'gauge', labels: [], unit: '1', meaning: 'Worker threads running probes (config `scheduler.probe_threads`; 0: on the main thread).', source: 'probe threads' },
      { name: 'o365_exporter_probe_thread_restarts_total', type: 'counter', labels: [], unit: '1', meaning: 'Probe threads that exited unexpectedly and were replaced (their running probes failed with internal_error).', source: 'probe threads' },
      ...(['p50', 'p99', 'max'] as const).map((figure) => ({
        name: `o365_exporter_probe_thread_eventloop_lag_${figure}_seconds`,
        type: 'gauge' as const,
        labels: ['thread'],
        unit: 'seconds',
        meaning: `Event-loop delay (${figure}) of each probe thread over its last 5 s, the 10 ms sampling interval included as in nodejs_eventloop_lag_${figure}_seconds: probes on a thread whose loop is late are timed late.`,
        source: 'probe threads',
      })),
    ],
  },
  {
    title: 'Endpoint discovery',
    endpoint: '/metrics',
    intro: "From Microsoft's IP Address and URL web service (config `discovery:`). Absent while discovery is off, except `o365_probe_ip_in_published_range`.",
    metrics: [
      { name: 'o365_endpoints_discovery_up', type: 'gauge', labels: [], unit: '1', meaning: 'Whether an endpoint list is known (from the web service or the on-disk cache).', source: 'discovery' },
      { name: 'o365_endpoints_version_info', type: 'gauge', labels: ['instance', 'version'], unit: 'info', meaning: 'Instance and version (YYYYMMDDNN) of the endpoint list held.', source: 'discovery' },
      { name: 'o365_endpoints_last_check_timestamp_seconds', type: 'gauge', labels: [], unit: 'seconds', meaning: 'Unix time the web service last answered a version check.', source: 'discovery' },
      { name: 'o365_endpoints_last_change_timestamp_seconds', type: 'gauge', labels: [], unit: 'seconds', meaning: 'Unix time the endpoint list held last changed (the first fetch counts).', source: 'discovery' },
      { name: 'o365_endpoints_sets', type: 'gauge', labels: ['category', 'service_area'], unit: '1', meaning: 'Endpoint sets in the list by category and service area.', source: 'discovery' },
      { name: 'o365_endpoints_urls', type: 'gauge', labels: ['category', 'kind'], unit: '1', meaning: 'Distinct URLs by highest category and kind (concrete, tenant pattern, other wildcard).', source: 'discovery' },
      { name: 'o365_endpoints_targets', type: 'gauge', labels: [], unit: '1', meaning: 'Probe targets made from the list (before via paths and hand-written overrides).', source: 'discovery' },
      { name: 'o365_endpoints_sets_not_probed', type: 'gauge', labels: ['reason'], unit: '1', meaning: 'Endpoint sets in the selected categories that make no target (IPs only, e.g. Teams media, or no TCP port).', source: 'discovery' },
      { name: 'o365_endpoints_urls_added', type: 'gauge', labels: [], unit: '1', meaning: 'URLs added by the last change of the list.', source: 'discovery' },
      { name: 'o365_endpoints_urls_removed', type: 'gauge', labels: [], unit: '1', meaning: 'URLs removed by the last change of the list.', source: 'discovery' },
      { name: 'o365_endpoints_fetch_errors_total', type: 'counter', labels: ['reason'], unit: '1', meaning: 'Failed requests to the web service by reason.', source: 'discovery' },
      { name: 'o365_probe_ip_in_published_range', type: 'gauge', labels: T, unit: '1', meaning: "Whether the address the last probe connected to lies in the published IP ranges of the target's endpoint set; 0 means DNS pointed somewhere Microsoft does not publish (proxy, hijack, stale resolver).", source: 'discovery + every probe' },
    ],
  },
  {
    title: 'Microsoft 365 diagnostics',
    endpoint: '/metrics',
    intro: "Why a target is slow, in the terms of Microsoft's connectivity principles (config `location` and `diagnostics`). Front door and TLS verdicts keep the last value seen, so a probe that failed before the answer does not make them blink. Front door codes are inferred from public observation (src/diagnostics/frontdoor-sites.ts); an unknown code stays a code with city=\"unknown\".",
    metrics: [
      { name: 'o365_frontdoor_info', type: 'gauge', labels: [...T, 'frontdoor', 'city', 'source'], unit: 'info', meaning: 'Microsoft front door that served the target: `frontdoor` is the site or edge code (X-FEServer / X-CalculatedFETarget site prefix such as AM, X-MSEdge-Ref Ref B letters such as LON, or the IATA code of a `<iata>-efz.ms-acdc.office.com` CNAME such as LHR), `city` its city, `source` header or cname; one series per code found. `source="none"` (frontdoor and city "unknown") when an HTTP or DNS answer named none.', source: 'HTTP(S) and DNS probes' },
      { name: 'o365_frontdoor_distance_km', type: 'gauge', labels: T, unit: 'kilometres', meaning: 'Great-circle distance from the configured `location` to the front door (the CNAME edge first, then Ref B, then the Exchange front end; the first whose city is known). Microsoft flags more than 800 km. Absent without `location` or with no known front door.', source: 'HTTP(S) and DNS probes + config location' },
      { name: 'o365_tls_intercepted', type: 'gauge', labels: T, unit: '1', meaning: 'Whether the leaf certificate of the last handshake was issued by a CA outside `diagnostics.tls_issuers` (Microsoft\'s CAs and the DigiCert roots by default): 1 means TLS inspection. The foreign issuer is the `issuer` label of o365_tls_info. Also set when verification failed (an untrusted inspection CA is both a tls_untrusted_issuer failure and intercepted).', source: 'TLS phase' },
      { name: 'o365_dns_resolver_answer_info', type: 'gauge', labels: [...T, 'resolver'], unit: 'info', meaning: 'Which configured (or /etc/resolv.conf) resolver answered the DNS phase of the last probe; its time is o365_probe_phase_seconds{phase="dns"}.', source: 'DNS phase' },
      { name: 'o365_dns_resolver_info', type: 'gauge', labels: ['resolver', 'resolver_ip'], unit: 'info', meaning: 'Egress address of each resolver as the authoritative server of the who-am-i name saw it (`diagnostics.whoami`). A resolver far from the site gets far front doors.', source: 'who-am-i check' },
      { name: 'o365_dns_whoami_success', type: 'gauge', labels: ['resolver'], unit: '1', meaning: 'Whether the last who-am-i query through each resolver got an address (0: failed, see the log for the reason).', source: 'who-am-i check' },
      { name: 'o365_network_score', type: 'gauge', labels: ['service'], unit: '1', meaning: "Microsoft's network assessment score, 0-100 (80 is the healthy line), over `diagnostics.score_window` (default 3 days) of the exporter's own direct-path results. Exchange: Microsoft's breakpoints on the median TCP connect time (10 ms 100, 25 ms 80, 100 ms 60, 200 ms 40, 300 ms 20, 350 ms 0). Teams: the lowest of three sub-scores on median UDP RTT, median jitter and loss, each 80 at Microsoft's target (100 ms, 30 ms, 1%), 100 at zero and 0 at five times the target (our mapping; Microsoft publishes only the targets). No SharePoint score: it needs download throughput, which the probes do not measure.", source: 'Exchange and Teams probes' },
    ],
  },
  {
    title: 'Teams UDP relay (STUN)',
    endpoint: '/metrics',
    intro: "From `stun` targets (default: `teams-relay`, world.tr.teams.microsoft.com:3478): each round sends N STUN Binding Requests (default 10, 20 ms apart) over UDP and times each answer. Microsoft's Teams targets (client to Microsoft edge): RTT < 100 ms, loss < 1%, jitter < 30 ms. Loss over any window, smokeping style: 1 - increase(o365_udp_responses_total) / increase(o365_udp_requests_total). The round's median RTT is also o365_probe_phase_seconds{phase=\"udp\"}; failures are reasons udp_timeout, udp_unreachable (ICMP port unreachable) and udp_malformed.",
    metrics: [
      { name: 'o365_udp_rtt_seconds', type: 'histogram', labels: T, unit: 'seconds', meaning: 'Round-trip time of every answered Binding Request; buckets from 5 ms to 1 s.', source: 'STUN probe' },
      { name: 'o365_udp_requests_total', type: 'counter', labels: T, unit: '1', meaning: 'Binding Requests sent.', source: 'STUN probe' },
      { name: 'o365_udp_responses_total', type: 'counter', labels: T, unit: '1', meaning: 'Valid Binding responses received before the round ended (answers later than 1 s after the last request count as lost).', source: 'STUN probe' },
      { name: 'o365_udp_reachable', type: 'gauge', labels: T, unit: '1', meaning: 'Whether the last round got at least one answer (1) or none (0: UDP 3478 blocked or relay down; Teams media then falls back to TCP 443).', source: 'STUN probe' },
      { name: 'o365_udp_loss_ratio', type: 'gauge', labels: T, unit: '1', meaning: 'Share of the last round left unanswered, 0-1. Absent when no request was sent (DNS failed).', source: 'STUN probe' },
      { name: 'o365_udp_jitter_seconds', type: 'gauge', labels: T, unit: 'seconds', meaning: 'RFC 3550 style jitter (J += (|D| - J) / 16 over consecutive RTTs, from 0, divided by 1 - (15/16)^n to remove the start-up bias of a short round) of the last round; absent with fewer than two answers.', source: 'STUN probe' },
      { name: 'o365_udp_mapped_address_info', type: 'gauge', labels: [...T, 'mapped_address'], unit: 'info', meaning: "Public address (XOR-MAPPED-ADDRESS, without port) the relay saw in the last round: the site's egress address. One series per target.", source: 'STUN probe' },
    ],
  },
  {
    title: 'On-demand probe (/probe)',
    endpoint: '/probe',
    intro: "Served by `/probe?target=...&module=...` from a fresh registry per request, with blackbox_exporter's names so its dashboards work unchanged. Not part of `/metrics`.",
    metrics: [
      { name: 'probe_success', type: 'gauge', labels: [], unit: '1', meaning: 'Whether the probe succeeded.', source: '/probe, every module' },
      { name: 'probe_duration_seconds', type: 'gauge', labels: [], unit: 'seconds', meaning: 'How long the probe took.', source: '/probe, every module' },
      { name: 'probe_dns_lookup_time_seconds', type: 'gauge', labels: [], unit: 'seconds', meaning: 'Time taken by the DNS lookup.', source: '/probe, every module' },
      { name: 'probe_ip_protocol', type: 'gauge', labels: [], unit: '1', meaning: 'IP version connected with (4 or 6).', source: '/probe, every module' },
      { name: 'probe_failure_info', type: 'gauge', labels: ['phase', 'reason'], unit: 'info', meaning: 'Phase and reason of the failure (o365-exporter extension).', source: '/probe, every module' },
      { name: 'probe_http_duration_seconds', type: 'gauge', labels: ['phase'], unit: 'seconds', meaning: 'Duration by phase: resolve, connect, tls, processing, transfer.', source: '/probe http, https' },
      { name: 'probe_http_status_code', type: 'gauge', labels: [], unit: '1', meaning: 'HTTP status code of the answer (0 when none).', source: '/probe http, https' },
      { name: 'probe_http_ssl', type: 'gauge', labels: [], unit: '1', meaning: 'Whether TLS was used.', source: '/probe http, https' },
      { name: 'probe_http_version', type: 'gauge', labels: [], unit: '1', meaning: 'HTTP version of the answer.', source: '/probe http, https' },
      { name: 'probe_http_uncompressed_body_length', type: 'gauge', labels: [], unit: 'bytes', meaning: 'Body bytes read.', source: '/probe http, https' },
      { name: 'probe_ssl_earliest_cert_expiry', type: 'gauge', labels: [], unit: 'seconds', meaning: 'Earliest certificate not-after, Unix time.', source: '/probe https' },
      { name: 'probe_tls_version_info', type: 'gauge', labels: ['version'], unit: 'info', meaning: 'TLS version negotiated.', source: '/probe https' },
      { name: 'probe_tls_cipher_info', type: 'gauge', labels: ['cipher'], unit: 'info', meaning: 'TLS cipher negotiated.', source: '/probe https' },
      { name: 'probe_dns_duration_seconds', type: 'gauge', labels: ['phase'], unit: 'seconds', meaning: 'Duration of the DNS request (phase="request").', source: '/probe dns' },
      { name: 'probe_dns_answer_rrs', type: 'gauge', labels: [], unit: '1', meaning: 'Records in the answer (addresses and CNAMEs).', source: '/probe dns' },
    ],
  },
];

export const ALL_METRICS: MetricDoc[] = METRIC_GROUPS.flatMap((g) => g.metrics);

/** Default collector prefixes, documented as a group rather than one by one. */
export const DEFAULT_METRIC_PREFIXES = ['process_', 'nodejs_'] as const;

export function findMetric(name: string): MetricDoc | undefined {
  return ALL_METRICS.find((m) => m.name === name);
}
