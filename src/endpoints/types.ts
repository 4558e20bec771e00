/**
 * The Microsoft 365 IP Address and URL web service, as this exporter sees it
 * (facts: REFERENCE.md section 1). No imports: the config schema uses these lists too.
 */

/** The four clouds the web service describes. */
export const INSTANCES = ['Worldwide', 'USGovDoD', 'USGovGCCHigh', 'China'] as const;
export type Instance = (typeof INSTANCES)[number];

/** Highest first: when an URL is in several sets, the set with the highest category wins. */
export const CATEGORIES = ['Optimize', 'Allow', 'Default'] as const;
export type Category = (typeof CATEGORIES)[number];

/** `MEM` (Intune) is only returned when asked for; `Common` is always returned. */
export const SERVICE_AREAS = ['Common', 'Exchange', 'SharePoint', 'Skype', 'MEM'] as const;

/** Lower is higher priority (Optimize = 0). */
export function categoryRank(category: Category): number {
  return CATEGORIES.indexOf(category);
}

/** One endpoint set as published; empty fields are omitted by the service, so optional here. */
export interface EndpointSet {
  id: number;
  serviceArea: string;
  serviceAreaDisplayName?: string;
  category: Category;
  required: boolean;
  expressRoute?: boolean;
  urls: string[];
  /** CIDR strings, IPv4 and IPv6. */
  ips: string[];
  /** As published, e.g. "143, 587, 993, 995" or "443,80"; parse with ports.ts. */
  tcpPorts?: string;
  udpPorts?: string;
  notes?: string;
}

/** A list with its version, as held in memory and in the on-disk cache. */
export interface EndpointList {
  instance: Instance;
  /** `latest` of /version: YYYYMMDDNN. */
  version: string;
  sets: EndpointSet[];
}
