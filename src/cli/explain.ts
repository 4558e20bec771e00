/**
 * Every failure reason in words a network engineer acts on: what it means and what to check.
 * A Record over the closed Reason set, so a new reason does not compile until it is explained.
 */
import type { Reason } from '../probes/result.js';

export interface Explanation {
  meaning: string;
  fix: string;
}

export const EXPLANATIONS: Record<Reason, Explanation> = {
  dns_nxdomain: { meaning: 'the name does not exist in DNS', fix: 'check the name, and whether a split-horizon or filtering DNS hides Microsoft 365 names' },
  dns_servfail: { meaning: 'the resolver failed to resolve the name (SERVFAIL)', fix: 'check the recursive resolver and its forwarders' },
  dns_refused: { meaning: 'the resolver refused the query', fix: 'allow this host to query the resolver, or configure another resolver' },
  dns_rcode_other: { meaning: 'the resolver answered with an unexpected error code', fix: 'check the recursive resolver' },
  dns_timeout: { meaning: 'no DNS answer in time', fix: 'check that UDP/TCP 53 to the resolver is open and the resolver is up' },
  dns_malformed: { meaning: 'the DNS answer could not be decoded', fix: 'check for a DNS-rewriting middlebox' },
  dns_no_address: { meaning: 'the name resolved to no address of the wanted family', fix: 'check ip_version and the AAAA/A records the resolver returns' },
  dns_cname_loop: { meaning: 'the CNAME chain loops or is too long', fix: 'check DNS overrides for Microsoft 365 names' },
  dns_network_error: { meaning: 'the resolver could not be reached', fix: 'check the route and firewall to the resolver' },
  connect_refused: { meaning: 'the TCP connection was refused', fix: 'a firewall rejects the traffic or nothing listens: allow TCP to Microsoft 365 endpoints' },
  connect_timeout: { meaning: 'no answer to the TCP connection', fix: 'a firewall drops the traffic or the route is broken: check egress rules and routing' },
  connect_unreachable: { meaning: 'no route to the address', fix: 'check the default route and the egress firewall' },
  connect_reset: { meaning: 'the connection was reset', fix: 'a firewall or IPS resets the connection: check its logs' },
  proxy_auth_required: { meaning: 'the proxy asks for authentication (407)', fix: 'Microsoft asks to send Optimize/Allow traffic direct, bypassing proxies' },
  proxy_refused: { meaning: 'the proxy refused the CONNECT', fix: 'allow Microsoft 365 through the proxy, or bypass it for Optimize/Allow endpoints' },
  tls_handshake_failed: { meaning: 'the TLS handshake failed', fix: 'check for a middlebox that breaks TLS, and TLS 1.2+ support on the path' },
  tls_timeout: { meaning: 'the TLS handshake did not finish in time', fix: 'check for a middlebox holding TLS, and MTU problems on the path' },
  tls_cert_expired: { meaning: 'the certificate presented has expired', fix: 'a TLS-inspecting device may present stale certificates: exempt Microsoft 365 from inspection' },
  tls_hostname_mismatch: { meaning: 'the certificate does not name the host', fix: 'the connection reached something else: check DNS and transparent proxies' },
  tls_untrusted_issuer: { meaning: 'the certificate is not issued by a trusted CA', fix: 'likely TLS interception: exempt Microsoft 365 from TLS inspection (or trust the CA in tls.ca_file)' },
  http_timeout: { meaning: 'no HTTP answer in time', fix: 'check proxies and inspection devices on the path' },
  http_invalid_status: { meaning: 'the HTTP status is not one of the accepted codes', fix: 'check whether a proxy or captive portal answers instead of Microsoft, or set valid_status_codes' },
  http_protocol_error: { meaning: 'the HTTP answer was not valid HTTP', fix: 'check for a middlebox that rewrites traffic' },
  http_headers_too_large: { meaning: 'the response headers were too large', fix: 'check for a middlebox adding headers' },
  http_body_too_large: { meaning: 'the body exceeded defaults.max_body_bytes', fix: 'raise max_body_bytes or probe a smaller URL' },
  http_connection_closed: { meaning: 'the connection closed before the answer', fix: 'check proxies and inspection devices on the path' },
  udp_timeout: { meaning: 'no STUN answer from the Teams relay', fix: 'open UDP 3478-3481 to Microsoft (Teams media falls back to TCP 443 with worse quality)' },
  udp_malformed: { meaning: 'the STUN answer could not be decoded', fix: 'check for a middlebox rewriting UDP' },
  udp_unreachable: { meaning: 'UDP to the relay was rejected (ICMP unreachable)', fix: 'open UDP 3478-3481 to Microsoft Teams media ranges' },
  aborted: { meaning: 'the probe was cut short (timeout)', fix: 'raise the timeout, or find the phase that stalls' },
  internal_error: { meaning: 'the exporter failed to run the probe', fix: 'see the exporter log; report a bug' },
};
