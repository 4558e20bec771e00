/**
 * TLS interception as Microsoft's connectivity test defines it (REFERENCE.md section 2): the
 * certificate of an Optimize or Allow endpoint is not issued by Microsoft's CAs. A fallback
 * for the report and status page until the diagnostics' own, configurable check is wired in.
 */
import type { ProbeResult } from '../probes/result.js';

/** Issuer names Microsoft 365 certificates chain to: Microsoft's own CAs and the DigiCert roots. */
const MICROSOFT_ISSUERS = /\bMicrosoft\b|\bDigiCert\b/i;

export interface Interception {
  /** The foreign issuer of the leaf certificate. */
  issuer: string;
}

export function interceptionOf(category: string, result: ProbeResult): Interception | undefined {
  const chain = result.tls?.chain;
  if (!chain?.length || (category !== 'Optimize' && category !== 'Allow')) return undefined;
  if (chain.some((c) => MICROSOFT_ISSUERS.test(c.issuer))) return undefined;
  return { issuer: chain[0]?.issuer ?? '' };
}
