/**
 * What docs/configuration.md needs beyond the schema: an example value for keys whose
 * default or enum cannot serve as one, descriptions for keys schema.ts leaves bare, and a
 * complete example file. Keys are reference paths (`targets[].url`, `modules.<name>.prober`).
 * test/docs/ fails when a key has neither, so a new key cannot go undocumented.
 */

export const EXAMPLES: Record<string, unknown> = {
  labels: { site: 'hq', region: 'emea' },
  tenant: 'contoso',
  resolvers: ['10.0.0.53', '[2001:db8::53]:53'],
  location: { lat: 52.37, lon: 4.9 },
  'location.lat': 52.37,
  'location.lon': 4.9,
  'location.city': 'London',
  'diagnostics.tls_issuers': ['Microsoft Azure RSA TLS Issuing CA *', 'DigiCert Global Root G2'],
  'diagnostics.whoami': { name: 'whoami.akamai.net', interval: '5m' },
  'defaults.via': ['direct', 'corp'],
  'probe.allowed_targets': ['*.office365.com', 'intranet.example.com'],
  proxies: [{ name: 'corp', url: 'http://proxy.example.com:3128' }],
  'proxies[].name': 'corp',
  'proxies[].url': 'http://proxy.example.com:3128',
  modules: { exchange_head: { prober: 'https', method: 'HEAD', timeout: '5s' } },
  'modules.<name>.prober': 'https',
  'modules.<name>.timeout': '5s',
  'modules.<name>.ip_version': 'ipv4',
  'modules.<name>.valid_status_codes': [200, 401],
  'modules.<name>.tls': { server_name: 'outlook.office365.com' },
  'modules.<name>.tls.ca_file': '/etc/ssl/corp-ca.pem',
  'modules.<name>.tls.server_name': 'outlook.office365.com',
  targets: [{ name: 'exchange', url: 'https://outlook.office365.com/owa/', service: 'Exchange', category: 'Optimize' }],
  'targets[].name': 'exchange',
  'targets[].service': 'Exchange',
  'targets[].category': 'Optimize',
  'targets[].interval': '1m',
  'targets[].timeout': '5s',
  'targets[].ip_version': 'ipv6',
  'targets[].via': ['direct', 'corp'],
  'targets[].url': 'https://outlook.office365.com/owa/',
  'targets[].tcp': 'outlook.office365.com:443',
  'targets[].dns': 'outlook.office365.com',
  'targets[].stun': 'world.tr.teams.microsoft.com:3478',
  'targets[].headers': { 'user-agent': 'o365-exporter' },
  'targets[].valid_status_codes': [200, 302, 401],
  'targets[].tls': { ca_file: '/etc/ssl/corp-ca.pem' },
  'targets[].tls.ca_file': '/etc/ssl/corp-ca.pem',
  'targets[].tls.server_name': 'outlook.office365.com',
  'discovery.tenant': 'contoso',
  'discovery.service_areas': ['Exchange', 'SharePoint', 'Skype'],
};

export const DESCRIPTIONS: Record<string, string> = {
  'location.lat': 'Latitude in degrees, -90 to 90.',
  'location.lon': 'Longitude in degrees, -180 to 180.',
  scheduler: 'How scheduled probes are run.',
  probe: 'The on-demand /probe endpoint (blackbox_exporter style).',
  'proxies[].name': 'Name used in `via` and as the `path` label; "direct" is reserved.',
  'proxies[].url': 'http://host:port of the proxy (HTTP CONNECT).',
  modules: 'Named modules for /probe?module=<name>, besides the built-in https, http, tcp and dns.',
  targets: 'What to probe. Exactly one of url, tcp, dns or stun per target.',
  'targets[].method': 'HTTP method.',
  'modules.<name>.method': 'HTTP method.',
};

/** A complete config showing most keys; test/docs/ checks that the exporter accepts it. */
export const EXAMPLE_CONFIG = `# o365-exporter config: every key is optional, see the tables below.
labels:
  site: hq
tenant: contoso
resolvers: [10.0.0.53]
location: {lat: 52.37, lon: 4.90}   # or {city: Amsterdam}
defaults:
  interval: 30s
  timeout: 10s
  ip_version: prefer_ipv4
  via: [direct]
scheduler:
  max_concurrency: 64
probe:
  max_concurrent: 10
proxies:
  - name: corp
    url: http://proxy.example.com:3128
modules:
  exchange_head:
    prober: https
    method: HEAD
    timeout: 5s
diagnostics:
  whoami: {name: whoami.akamai.net, interval: 5m}
  score_window: 3d
discovery:
  instance: Worldwide
  categories: [Optimize, Allow]
targets:
  - name: exchange
    url: https://outlook.office365.com/owa/
    service: Exchange
    category: Optimize
    via: [direct, corp]
  - name: sharepoint
    url: https://contoso.sharepoint.com/
    service: SharePoint
    category: Optimize
    valid_status_codes: [200, 302, 401, 403]
  - name: smtp
    tcp: smtp.office365.com:587
    service: Exchange
    category: Allow
  - name: teams-relay
    stun: world.tr.teams.microsoft.com:3478
    service: Teams
    category: Optimize
    interval: 1m
`;
