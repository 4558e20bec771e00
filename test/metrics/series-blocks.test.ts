/**
 * Blocks of per-target lines (src/metrics/series-blocks.ts): whatever the order of sets,
 * removals and rebuilds (idle pass or scrape), each family's slices join to the targets'
 * lines of that family in the order the targets were added, and a rebuilt block holds no
 * pending copy.
 */
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Segment } from '../../src/metrics/exposition.js';
import { gzipChunks } from '../../src/metrics/gzip-chunks.js';
import { BLOCK_SIZE, SeriesBlocks, type Member } from '../../src/metrics/series-blocks.js';

const FAMILIES = 3;
const decoder = new TextDecoder();

/** Target `id`'s lines of each family at `version`; some families empty, some multi-byte. */
function lines(id: number, version: number): string[] {
  return [`a{t="${id}"} ${version}\n`, id % 3 === 0 ? '' : `b{t="${id}",x="é☃"} ${version}\nb{t="${id}",y="2"} 1\n`, version % 2 ? `c{t="${id}"} 1\n` : ''];
}

const encode = (texts: string[]) => texts;

function rendered(blocks: SeriesBlocks): string[] {
  return Array.from({ length: FAMILIES }, (_, i) => {
    const out: Segment[] = [];
    blocks.familySlices(i, out);
    return out.map((b) => decoder.decode(b.bytes)).join('');
  });
}

function expected(live: Map<number, number>): string[] {
  return Array.from({ length: FAMILIES }, (_, i) => [...live].map(([id, v]) => lines(id, v)[i]).join(''));
}

describe('SeriesBlocks', () => {
  it('joins each family in the order targets were added, across blocks, sets and removals', () => {
    const blocks = new SeriesBlocks(FAMILIES, 60_000);
    const members = new Map<number, Member>();
    const live = new Map<number, number>();
    const set = (id: number, v: number) => {
      if (!members.has(id)) members.set(id, blocks.add());
      blocks.set(members.get(id) as Member, encode(lines(id, v)));
      live.set(id, v);
    };
    const n = BLOCK_SIZE * 3 + 5;
    for (let id = 0; id < n; id++) set(id, 1);
    expect(rendered(blocks)).toEqual(expected(live));
    // Some targets change, some go away (a whole block among them), some are added.
    for (let id = 0; id < n; id += 7) set(id, 2);
    for (let id = BLOCK_SIZE; id < 2 * BLOCK_SIZE + 3; id++) {
      blocks.remove(members.get(id) as Member);
      members.delete(id);
      live.delete(id);
    }
    blocks.remove(members.get(5) as Member);
    members.delete(5);
    live.delete(5);
    for (let id = n; id < n + 10; id++) set(id, 3);
    expect(rendered(blocks)).toEqual(expected(live));
    // Unchanged targets are copied from the old buffer on the next rebuild.
    set(1, 4);
    blocks.flush();
    expect(rendered(blocks)).toEqual(expected(live));
    expect([...members.values()].every((m) => m.pending === undefined)).toBe(true);
    // A removal alone (no new lines in that block) takes the target's lines out.
    const last = 3 * BLOCK_SIZE + 1;
    blocks.remove(members.get(last) as Member);
    live.delete(last);
    expect(rendered(blocks)).toEqual(expected(live));
  });

  it('copies new lines into their block in the background, a moment after they arrive', async () => {
    const blocks = new SeriesBlocks(FAMILIES, 5);
    const members = Array.from({ length: BLOCK_SIZE + 1 }, () => blocks.add());
    members.forEach((m, id) => blocks.set(m, encode(lines(id, 1))));
    expect(members.every((m) => m.pending !== undefined && m.block.dirty)).toBe(true);
    await expect.poll(() => members.every((m) => m.pending === undefined && !m.block.dirty)).toBe(true);
    expect(rendered(blocks)).toEqual(expected(new Map(members.map((_, id) => [id, 1]))));
  });

  it('deflates rebuilt blocks in the idle pass once a scrape asked for deflated lines, not before', async () => {
    const blocks = new SeriesBlocks(FAMILIES, 5);
    const members = Array.from({ length: BLOCK_SIZE + 1 }, () => blocks.add());
    members.forEach((m, id) => blocks.set(m, encode(lines(id, 1))));
    await expect.poll(() => members.every((m) => !m.block.dirty)).toBe(true);
    expect(members[0]?.block.deflatedCount).toBe(0);
    // A gzip scrape: every slice's deflated form is asked for.
    const slices: Segment[] = [];
    for (let i = 0; i < FAMILIES; i++) blocks.familySlices(i, slices);
    const body = gzipChunks(slices);
    expect(gunzipSync(body).toString()).toBe(expected(new Map(members.map((_, id) => [id, 1]))).join(''));
    members.forEach((m, id) => blocks.set(m, encode(lines(id, 2))));
    expect(members.every((m) => m.block.dirty)).toBe(true);
    await expect.poll(() => members.every((m) => !m.block.dirty && m.block.deflatedCount === FAMILIES)).toBe(true);
    const again: Segment[] = [];
    for (let i = 0; i < FAMILIES; i++) blocks.familySlices(i, again);
    expect(gunzipSync(gzipChunks(again)).toString()).toBe(expected(new Map(members.map((_, id) => [id, 2]))).join(''));
  });

  it('rebuilds in place, in one buffer, while the lines keep about their size', () => {
    const blocks = new SeriesBlocks(FAMILIES, 60_000);
    const members = Array.from({ length: 10 }, () => blocks.add());
    const buffers = new Set<ArrayBufferLike>();
    for (let version = 11; version < 21; version++) {
      members.forEach((m, id) => blocks.set(m, encode(lines(id, version))));
      expect(rendered(blocks)).toEqual(expected(new Map(members.map((_, id) => [id, version]))));
      buffers.add((members[0] as Member).block.bytes.buffer);
    }
    expect(buffers.size).toBe(1);
  });
});
