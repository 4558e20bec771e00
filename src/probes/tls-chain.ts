/**
 * The certificate chain a server presented, summarised for diagnostics: a chain not
 * issued by Microsoft's CAs on an Optimize/Allow endpoint is how TLS interception shows.
 */
import type { DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import type { CertificateSummary } from './result.js';

type Name = PeerCertificate['subject'] | undefined;

/** CN when present, else O; multi-valued fields joined. */
function nameOf(name: Name): string {
  const value = name?.CN ?? name?.O;
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(', ') : value;
}

function unixSeconds(date: string): number {
  return Math.floor(Date.parse(date) / 1000);
}

function summarize(cert: PeerCertificate): CertificateSummary {
  return {
    subject: nameOf(cert.subject),
    issuer: nameOf(cert.issuer),
    notAfter: unixSeconds(cert.valid_to),
    notBefore: unixSeconds(cert.valid_from),
    fingerprint256: cert.fingerprint256,
  };
}

/** Leaf first, then each issuer until a self-signed certificate (issuerCertificate points to itself). */
function walk(leaf: DetailedPeerCertificate): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = leaf;
  // An empty object means no certificate (e.g. an anonymous cipher).
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(summarize(cert));
    cert = cert.issuerCertificate;
  }
  return chain;
}

/**
 * Chains already converted, per trust store (the root above what the server sent comes
 * from it) and leaf fingerprint. getPeerCertificate(true) re-parses every certificate
 * (~0.2 ms of CPU each with OpenSSL 3.0): one probe in a few minutes pays it per leaf.
 * A server switching intermediates under the same leaf shows within CHAIN_TTL_MS.
 */
const converted = new WeakMap<object, Map<string, { chain: CertificateSummary[]; until: number }>>();
const CHAIN_TTL_MS = 5 * 60_000;
const MAX_CHAINS = 1024;

/**
 * The chain `socket` presented, as seen through the trust store `store` (its SecureContext).
 * `leaf`: the socket's getPeerCertificate() when already at hand.
 */
export function peerChain(socket: TLSSocket, store: object, leaf: PeerCertificate = socket.getPeerCertificate()): CertificateSummary[] {
  const key = leaf.fingerprint256;
  if (!key) return [];
  let chains = converted.get(store);
  if (!chains) converted.set(store, (chains = new Map()));
  const now = Date.now();
  const hit = chains.get(key);
  if (hit && hit.until > now) return hit.chain.slice();
  const chain = walk(socket.getPeerCertificate(true));
  if (chains.size >= MAX_CHAINS) chains.clear();
  chains.set(key, { chain, until: now + CHAIN_TTL_MS });
  return chain.slice();
}
