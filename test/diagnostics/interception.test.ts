import { describe, expect, it } from 'vitest';
import { DEFAULT_TLS_ISSUERS, interceptionOf, issuerMatcher } from '../../src/diagnostics/interception.js';
import type { ProbeResult } from '../../src/probes/result.js';

const withLeafIssuer = (issuer: string, authorized = true): ProbeResult => ({
  success: authorized,
  startedAt: 0,
  durationSeconds: 0.1,
  phases: { tls: 0.02 },
  tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', alpn: 'http/1.1', authorized, chain: [
    { subject: 'outlook.com', issuer, notAfter: 2e9, notBefore: 1.7e9, fingerprint256: 'AA' },
    { subject: issuer, issuer: 'DigiCert Global Root G2', notAfter: 2e9, notBefore: 1.6e9, fingerprint256: 'BB' },
  ] },
});

describe('TLS interception', () => {
  const isMicrosoft = issuerMatcher(DEFAULT_TLS_ISSUERS);

  it.each([
    'Microsoft Azure RSA TLS Issuing CA 03',
    'Microsoft Azure RSA TLS Issuing CA 08',
    'Microsoft Azure ECC TLS Issuing CA 07',
    'Microsoft Azure TLS Issuing CA 05',
    'Microsoft RSA TLS CA 02',
    'Microsoft ECC TLS Issuing AOC CA 01',
    'DigiCert SHA2 Secure Server CA',
    'DigiCert Cloud Services CA-1',
    'Baltimore CyberTrust Root',
    'microsoft azure rsa tls issuing ca 04',
  ])('%s is Microsoft', (issuer) => {
    expect(interceptionOf(withLeafIssuer(issuer), isMicrosoft)).toEqual({ intercepted: false, issuer });
  });

  it.each(['Corporate Inspection CA', 'Zscaler Intermediate Root CA', 'Fortinet CA', "Let's Encrypt R3", 'Microsoft Azure RSA TLS Issuing CA', 'Not Microsoft RSA TLS CA 01'])(
    '%s is foreign',
    (issuer) => {
      expect(interceptionOf(withLeafIssuer(issuer), isMicrosoft)).toEqual({ intercepted: true, issuer });
    },
  );

  it('judges a chain that failed verification too', () => {
    expect(interceptionOf(withLeafIssuer('Corporate Inspection CA', false), isMicrosoft)?.intercepted).toBe(true);
  });

  it('has no verdict without a certificate', () => {
    expect(interceptionOf({ success: false, startedAt: 0, durationSeconds: 1, phases: {} }, isMicrosoft)).toBeUndefined();
  });

  it('takes patterns literally apart from *', () => {
    const m = issuerMatcher(['Corp (Proxy) CA.1', 'Acme * CA']);
    expect(m('Corp (Proxy) CA.1')).toBe(true);
    expect(m('Corp (Proxy) CAx1')).toBe(false);
    expect(m('Acme Issuing 7 CA')).toBe(true);
  });
});
