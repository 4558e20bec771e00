/**
 * What discovery keeps in the data directory (--storage.path): the ClientRequestId made once
 * per machine, and the last good list with its version. Files are written atomically (temp
 * file in the same directory, then rename) so a crash mid-write never leaves half a list.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseEndpointSets } from './parse.js';
import { INSTANCES, type EndpointList } from './types.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the list was asked with; a cache made with other options is not this list. */
export interface ListQuery {
  serviceAreas: string[];
  tenantName: string;
  noIPv6: boolean;
}

export interface CachedList {
  list: EndpointList;
  query: ListQuery;
  /** Unix ms when the list was fetched, and when its version last changed. */
  fetchedAt: number;
  changedAt: number;
  urlsAdded: number;
  urlsRemoved: number;
}

const cacheSchema = z.object({
  format: z.literal(1),
  instance: z.enum(INSTANCES),
  version: z.string(),
  query: z.object({ serviceAreas: z.array(z.string()), tenantName: z.string(), noIPv6: z.boolean() }),
  fetchedAt: z.number(),
  changedAt: z.number(),
  urlsAdded: z.number().int().nonnegative(),
  urlsRemoved: z.number().int().nonnegative(),
  sets: z.array(z.unknown()),
});

export class DiscoveryStore {
  readonly dir: string;

  constructor(storagePath: string) {
    this.dir = path.join(storagePath, 'endpoints');
  }

  /** The GUID sent as ClientRequestId: read from the data dir, or made and saved once. */
  async clientRequestId(): Promise<string> {
    const file = path.join(this.dir, 'client-request-id');
    const existing = await readFile(file, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
    if (existing && GUID.test(existing)) return existing;
    const id = randomUUID();
    await this.writeAtomic(file, `${id}\n`);
    return id;
  }

  cacheFile(instance: string): string {
    return path.join(this.dir, `endpoints-${instance}.json`);
  }

  /** The cached list, or undefined when there is none or it cannot be used (the reason is returned for a log line). */
  async loadList(instance: string): Promise<{ cached?: CachedList; problem?: string }> {
    const file = this.cacheFile(instance);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'ENOENT' ? {} : { problem: `cannot read ${file}: ${code ?? String(err)}` };
    }
    try {
      const raw = cacheSchema.parse(JSON.parse(text));
      if (raw.instance !== instance) return { problem: `${file} holds instance ${raw.instance}` };
      const { sets } = parseEndpointSets(raw.sets);
      const { query, fetchedAt, changedAt, urlsAdded, urlsRemoved } = raw;
      return { cached: { list: { instance: raw.instance, version: raw.version, sets }, query, fetchedAt, changedAt, urlsAdded, urlsRemoved } };
    } catch (err) {
      return { problem: `${file} is not a usable cache: ${(err as Error).message.split('\n')[0]}` };
    }
  }

  async saveList(cached: CachedList): Promise<void> {
    const { list, query, fetchedAt, changedAt, urlsAdded, urlsRemoved } = cached;
    const body = { format: 1, instance: list.instance, version: list.version, query, fetchedAt, changedAt, urlsAdded, urlsRemoved, sets: list.sets };
    await this.writeAtomic(this.cacheFile(list.instance), `${JSON.stringify(body)}\n`);
  }

  /** Temp file beside the target, flushed, then renamed over it (rename is atomic on one filesystem). */
  private async writeAtomic(file: string, content: string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      const handle = await open(temp, 'w', 0o644);
      try {
        await handle.writeFile(content, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}
