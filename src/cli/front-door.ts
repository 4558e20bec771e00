/**
 * The front door one result names, for the report and the status page: the diagnostics'
 * reading (src/diagnostics/frontdoor.ts: the -efz CNAME, X-MSEdge-Ref, X-FEServer /
 * X-CalculatedFETarget) reduced to the one to show, with its distance from the site when
 * the config gives a `location`.
 */
import { distanceKm, type LatLon } from '../diagnostics/distance.js';
import { frontDoors, primaryFrontDoor, type FrontDoorOrigin } from '../diagnostics/frontdoor.js';
import type { ProbeResult } from '../probes/result.js';

export interface FrontDoorView {
  /** Site or edge code: "LHR", "AM", "LON". */
  code: string;
  /** Header or CNAME it was read from. */
  source: FrontDoorOrigin;
  /** Absent for a code the sites table does not know. */
  city?: string;
  country?: string;
  /** Great-circle km from the configured location; absent without one or without a city. */
  distanceKm?: number;
}

/** Microsoft's connectivity test flags a front door more than 800 km away. */
export const FRONT_DOOR_FAR_KM = 800;

export function frontDoorOf(result: ProbeResult, location?: LatLon): FrontDoorView | undefined {
  const doors = frontDoors(result);
  const door = primaryFrontDoor(doors) ?? doors[0];
  if (!door) return undefined;
  const view: FrontDoorView = { code: door.code, source: door.origin };
  if (door.city) {
    view.city = door.city.city;
    view.country = door.city.country;
    if (location) view.distanceKm = Math.round(distanceKm(location, door.city));
  }
  return view;
}
