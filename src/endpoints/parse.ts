/**
 * Validating what the web service (or the cache) returned. Unknown fields are ignored and
 * optional fields may be missing (REFERENCE.md section 1); a set that lacks what we need is
 * dropped on its own, and a body with no usable set at all is rejected as a whole, so a
 * broken answer never replaces a good list.
 */
import { z } from 'zod';
import { CATEGORIES, type EndpointSet } from './types.js';

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

const stringList = z.array(z.string()).catch([]);

// z.object (not strictObject): unknown fields are stripped, never an error.
const endpointSetSchema = z.object({
  id: z.number().int().nonnegative(),
  serviceArea: z.string().min(1),
  serviceAreaDisplayName: z.string().optional().catch(undefined),
  category: z.enum(CATEGORIES),
  required: z.boolean().catch(false).default(false),
  expressRoute: z.boolean().optional().catch(undefined),
  urls: stringList.default([]),
  ips: stringList.default([]),
  tcpPorts: z.string().optional().catch(undefined),
  udpPorts: z.string().optional().catch(undefined),
  notes: z.string().optional().catch(undefined),
});

const changeSchema = z.object({
  id: z.number().int(),
  endpointSetId: z.number().int(),
  disposition: z.string(),
  version: z.string(),
  impact: z.string().optional().catch(undefined),
  add: z.object({ effectiveDate: z.string().optional().catch(undefined), ips: stringList.default([]), urls: stringList.default([]) }).optional().catch(undefined),
  remove: z.object({ ips: stringList.default([]), urls: stringList.default([]) }).optional().catch(undefined),
});
export type ChangeRecord = z.output<typeof changeSchema>;

const versionSchema = z.object({ instance: z.string(), latest: z.string().regex(/^\d{10}$/) });

export interface ParsedSets {
  sets: EndpointSet[];
  /** Entries dropped because they were not endpoint sets (for a log line). */
  dropped: number;
}

export function parseEndpointSets(body: unknown): ParsedSets {
  if (!Array.isArray(body)) throw new ShapeError(`expected a JSON array of endpoint sets, got ${describe(body)}`);
  const sets: EndpointSet[] = [];
  let dropped = 0;
  for (const entry of body) {
    const parsed = endpointSetSchema.safeParse(entry);
    if (parsed.success) sets.push(parsed.data);
    else dropped++;
  }
  if (sets.length === 0) throw new ShapeError(`no endpoint set in the answer (${body.length} entries, none with id, serviceArea and category)`);
  return { sets, dropped };
}

/** `latest` of GET /version/{instance}, checked to be YYYYMMDDNN and for the instance asked. */
export function parseVersion(body: unknown, instance: string): string {
  const parsed = versionSchema.safeParse(body);
  if (!parsed.success) throw new ShapeError(`expected {instance, latest: "YYYYMMDDNN"}, got ${describe(body)}`);
  if (parsed.data.instance.toLowerCase() !== instance.toLowerCase()) throw new ShapeError(`version answer is for instance "${parsed.data.instance}", asked "${instance}"`);
  return parsed.data.latest;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`;
  return typeof value;
}

/** Change records of GET /changes/{instance}/{version}; records lacking id, set, disposition or version are dropped. */
export function parseChanges(body: unknown): ChangeRecord[] {
  if (!Array.isArray(body)) throw new ShapeError(`expected a JSON array of change records, got ${describe(body)}`);
  return body.flatMap((entry) => {
    const parsed = changeSchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}
