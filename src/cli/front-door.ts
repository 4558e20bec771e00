/**
 * Which Microsoft front door answered, as far as one result tells (REFERENCE.md section 3):
 * Exchange's X-FEServer / X-CalculatedFETarget, the edge's X-MSEdge-Ref "Ref B", or the
 * `<iata>-efz.ms-acdc.office.com` style CNAME. Raw codes only: mapping a code to a city and a
 * distance is the diagnostics' job. Used by the report and the status page.
 */
import type { ProbeResult } from '../probes/result.js';

export interface FrontDoor {
  /** Short code: "AM0PR01CA0001", "LON", "lhr-efz". */
  code: string;
  source: 'x-feserver' | 'x-calculatedfetarget' | 'x-msedge-ref' | 'cname';
  /** IATA airport code when the source names one (the CNAME form). */
  iata?: string;
}

export function frontDoorOf(result: ProbeResult): FrontDoor | undefined {
  const headers = result.http?.headers ?? {};
  const feServer = headers['x-feserver']?.trim();
  if (feServer) return { code: feServer.split(/[\s,]/)[0] as string, source: 'x-feserver' };
  const feTarget = headers['x-calculatedfetarget']?.trim();
  if (feTarget) return { code: feTarget.split(/[.\s,]/)[0] as string, source: 'x-calculatedfetarget' };
  const edge = /Ref B:\s*([A-Za-z]+)/.exec(headers['x-msedge-ref'] ?? '');
  if (edge) return { code: (edge[1] as string).toUpperCase(), source: 'x-msedge-ref' };
  return fromCname(result.dns?.cnames ?? []);
}

/** The last name in the chain shaped like `lhr-efz.ms-acdc.office.com` (any `xxx-yyy.` prefix of an acdc name). */
function fromCname(cnames: string[]): FrontDoor | undefined {
  for (const name of [...cnames].reverse()) {
    const match = /^(([a-z]{3})-[a-z0-9]+)\.ms-acdc\./i.exec(name);
    if (match) return { code: (match[1] as string).toLowerCase(), source: 'cname', iata: (match[2] as string).toUpperCase() };
  }
  return undefined;
}
