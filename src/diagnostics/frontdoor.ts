/**
 * Which Microsoft front door served a probe (REFERENCE.md section 3), from what one result
 * carries: Exchange's X-FEServer / X-CalculatedFETarget (site prefix of the front-end server
 * name), the edge's X-MSEdge-Ref "Ref B" (edge site letters) and a `<iata>-efz.ms-acdc...`
 * CNAME (IATA code). Codes are short and few (a site, not a server), so they make bounded
 * label values. Microsoft says the intermediate names can change: these are labels, never a
 * condition of success.
 */
import type { ProbeResult } from '../probes/result.js';
import { edgeSite, exchangeSite, iataSite, type City } from './frontdoor-sites.js';

export type FrontDoorSource = 'header' | 'cname';
export type FrontDoorOrigin = 'x-feserver' | 'x-calculatedfetarget' | 'x-msedge-ref' | 'cname';

export interface FrontDoor {
  /** Site or edge code, upper case: "AM", "MWH", "LON", "LHR". */
  code: string;
  source: FrontDoorSource;
  /** The header (or the CNAME) it was read from. */
  origin: FrontDoorOrigin;
  /** Absent for a code the sites table does not know: it stays a code. */
  city?: City;
}

/**
 * Site prefix of an Exchange server name: the leading letters, without the "PR"/"P" role
 * marker newer names glue to them. AM0PR01CA0001 -> AM, MWHPR1001CA0012 -> MWH,
 * CWLP265CA0001 -> CWL, LO2P265CU001.internal.outlook.com -> LO.
 */
export function exchangeSiteCode(value: string): string | undefined {
  const token = value.trim().split(/[\s,;.]/)[0] ?? '';
  const letters = /^([A-Za-z]{2,6})\d/.exec(token)?.[1]?.toUpperCase();
  if (!letters) return undefined;
  if (letters.length >= 4 && letters.endsWith('PR')) return letters.slice(0, -2);
  if (letters.length === 4 && letters.endsWith('P')) return letters.slice(0, -1);
  return letters;
}

/** Edge letters of X-MSEdge-Ref's Ref B: "Ref A: ... Ref B: LON21EDGE0112 Ref C: ..." -> LON. */
export function edgeCode(msEdgeRef: string): string | undefined {
  // Bounded like a site code: a label value must not grow with whatever a middlebox sends.
  const letters = /Ref B:\s*([A-Za-z]{2,8})(?![A-Za-z])/i.exec(msEdgeRef)?.[1]?.toUpperCase();
  if (!letters) return undefined;
  // Older edge names run the letters into "EDGE" (BLEDGE..., AMBEDGE...).
  return letters.length > 4 && letters.endsWith('EDGE') ? letters.slice(0, -4) : letters;
}

/** IATA code of a `lhr-efz.ms-acdc.office.com` style name; undefined for outlook.ms-acdc.office.com. */
export function cnameIata(name: string): string | undefined {
  if (!/\.ms-acdc\./i.test(name)) return undefined;
  return /^([a-z]{3})-[a-z0-9]+\./i.exec(name)?.[1]?.toUpperCase();
}

function door(code: string, source: FrontDoorSource, origin: FrontDoorOrigin, city: City | undefined): FrontDoor {
  return city ? { code, source, origin, city } : { code, source, origin };
}

/**
 * Every front door the result names, nearest to the client first: the CNAME (the address
 * the connection went to), then the edge that answered (Ref B), then the Exchange front end
 * behind it. One entry per code and source.
 */
export function frontDoors(result: ProbeResult): FrontDoor[] {
  const found: FrontDoor[] = [];
  const cname = [...(result.dns?.cnames ?? [])].reverse().map(cnameIata).find((c) => c !== undefined);
  if (cname) found.push(door(cname, 'cname', 'cname', iataSite(cname)));
  const headers = result.http?.headers ?? {};
  const edge = headers['x-msedge-ref'] ? edgeCode(headers['x-msedge-ref']) : undefined;
  if (edge) found.push(door(edge, 'header', 'x-msedge-ref', edgeSite(edge)));
  for (const origin of ['x-feserver', 'x-calculatedfetarget'] as const) {
    const value = headers[origin];
    const code = value ? exchangeSiteCode(value) : undefined;
    if (code) found.push(door(code, 'header', origin, exchangeSite(code)));
  }
  return found.filter((d, i) => found.findIndex((o) => o.code === d.code && o.source === d.source) === i);
}

/** The front door to measure distance to: the nearest-to-client one whose city is known. */
export function primaryFrontDoor(doors: FrontDoor[]): (FrontDoor & { city: City }) | undefined {
  return doors.find((d): d is FrontDoor & { city: City } => d.city !== undefined);
}
