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
export function peerChain(socket: TLSSocket): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  // An empty object means no certificate (e.g. an anonymous cipher).
  while (cert && cert.fingerprint256 && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    chain.push(summarize(cert));
    cert = cert.issuerCertificate;
  }
  return chain;
}
