// STUB, being replaced by the DNS probe implementation (own client on dns-packet).
import { isIP } from 'node:net';
import type { DnsDetails } from './result.js';
import { ProbeError } from './result.js';
import type { ProbeOptions } from './target.js';

export interface Resolution {
  /** Absent when no query was made (the host is an IP literal). */
  seconds?: number;
  details?: DnsDetails;
  /** The address the next phase connects to. */
  address: string;
}

export async function resolveHost(host: string, _options: ProbeOptions, _signal: AbortSignal): Promise<Resolution> {
  if (isIP(host)) return { address: host };
  throw new ProbeError('dns', 'internal_error', 'dns client not implemented yet');
}
