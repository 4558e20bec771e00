/**
 * TLS interception as Microsoft's connectivity test defines it (REFERENCE.md section 2): the
 * certificate served for a Microsoft 365 endpoint was not issued by Microsoft's CAs, so a
 * proxy or firewall decrypts the traffic with its own CA. Judged on the leaf's issuer, which
 * is what an inspection device replaces; the chain is recorded even when verification failed
 * (PartialFailure), so an untrusted inspection CA is both a tls_untrusted_issuer failure and
 * intercepted.
 */
import type { ProbeResult } from '../probes/result.js';

/**
 * Issuer name patterns (`*` = any run of characters, case-insensitive) of the CAs Microsoft
 * 365 certificates come from: Microsoft's own RSA/ECC issuing CAs and roots, and the DigiCert
 * (and Baltimore) roots and intermediates they chain to. Configurable as
 * `diagnostics.tls_issuers`: a CA Microsoft adds later is one config line away.
 */
export const DEFAULT_TLS_ISSUERS: readonly string[] = [
  'Microsoft Azure RSA TLS Issuing CA *', // 03, 04, 07, 08
  'Microsoft Azure ECC TLS Issuing CA *', // 03, 04, 07, 08
  'Microsoft Azure TLS Issuing CA *', // 01, 02, 05, 06
  'Microsoft RSA TLS CA *', // 01, 02
  'Microsoft ECC TLS Issuing AOC CA*',
  'Microsoft RSA Root Certificate Authority 2017',
  'Microsoft ECC Root Certificate Authority 2017',
  'DigiCert Global Root G2',
  'DigiCert Global Root CA',
  'DigiCert SHA2 Secure Server CA',
  'DigiCert Cloud Services CA-1',
  'Baltimore CyberTrust Root',
];

export type IssuerMatcher = (issuer: string) => boolean;

function globToRegExp(pattern: string): RegExp {
  const body = pattern.trim().split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${body}$`, 'i');
}

export function issuerMatcher(patterns: readonly string[]): IssuerMatcher {
  const regexps = patterns.map(globToRegExp);
  return (issuer) => regexps.some((r) => r.test(issuer.trim()));
}

export interface InterceptionFinding {
  intercepted: boolean;
  /** Issuer of the leaf certificate: the foreign CA when intercepted. */
  issuer: string;
}

/** Undefined when the result carries no certificate (no TLS, or the handshake never finished). */
export function interceptionOf(result: ProbeResult, isMicrosoft: IssuerMatcher): InterceptionFinding | undefined {
  const leaf = result.tls?.chain[0];
  if (!leaf) return undefined;
  return { intercepted: !isMicrosoft(leaf.issuer), issuer: leaf.issuer };
}
