/**
 * Per-target lines, UTF-8 encoded, grouped in blocks of consecutive targets: each block holds
 * its targets' lines family by family in one buffer, so a scrape copies a few hundred
 * slices (families x blocks) instead of one per target and family (~50,000 at 5,000
 * targets, ~60 ms of a scrape in copy and slice overhead).
 *
 * A target's new lines wait in `pending` (text) until its block is rebuilt: by an idle pass a
 * moment after results arrive (spread over the interval, off the scrape path), or at the
 * latest by the scrape itself. A rebuild lays the block out in one scratch buffer shared by
 * all blocks (encoding pending text, copying unchanged targets' lines), then copies it back
 * into the block's own buffer: each target's lines are held once, and in steady state
 * nothing is allocated off the JS heap. (Per-target buffers and a new buffer per rebuild held
 * ~30 MiB more RSS at 5,000 targets, bench; a spare buffer per block ~10 MiB.)
 * The bytes a scrape takes are read before it yields (gzip-chunks.ts, chunks.ts): the next
 * rebuild writes over them.
 */

import { familyHeader, type Chunk, type FamilyType, type Segment } from './exposition.js';
import { deflateSegment } from './gzip-chunks.js';

/** Targets per block: small enough that rebuilding one is a short slice of work. */
export const BLOCK_SIZE = 64;

const EMPTY = new Uint8Array(0);

export interface Member {
  block: Block;
  /** Lines of each family not yet copied into the block. */
  pending?: readonly string[];
  /** Where this target's lines of family f are in block.bytes: [spans[2f], spans[2f + 1]). */
  spans: number[];
}

/** Room left when a buffer grows, so that values changing length do not grow it each time. */
const HEADROOM = 1.1;

/** Where a rebuild lays a block out before copying it back (rebuilds never overlap). */
let scratch = Buffer.allocUnsafeSlow(0);

export class Block {
  members: Member[] = [];
  bytes: Uint8Array = EMPTY;
  /** The block's own buffer (bytes is its first part), grown with headroom. */
  private own: Buffer | undefined;
  /** Family f's lines of all members are bytes[starts[f], starts[f + 1]). */
  starts: number[];
  dirty = false;
  /** Family f's lines deflated (gzip-chunks.ts), made on first use after each rebuild. */
  private deflated: (Uint8Array | undefined)[];

  constructor(
    private readonly families: number,
    private readonly onDeflate: () => void = () => undefined,
  ) {
    this.starts = new Array<number>(families + 1).fill(0);
    this.deflated = new Array<Uint8Array | undefined>(families);
  }

  /** Copies pending lines in and drops removed members' lines. */
  rebuild(): void {
    const f = this.families;
    let total = 0;
    for (const m of this.members) {
      if (m.pending) for (const text of m.pending) total += Buffer.byteLength(text, 'utf8');
      else total += spanBytes(m.spans, f);
    }
    const current = this.bytes;
    if (scratch.length < total) scratch = Buffer.allocUnsafeSlow(Math.ceil(total * HEADROOM));
    const out = scratch;
    let pos = 0;
    for (let i = 0; i < f; i++) {
      this.starts[i] = pos;
      for (const m of this.members) {
        const start = pos;
        if (m.pending) pos += out.write(m.pending[i] as string, pos, 'utf8');
        else {
          const from = m.spans[2 * i] as number;
          const to = m.spans[2 * i + 1] as number;
          if (to > from) out.set(current.subarray(from, to), pos);
          pos += to - from;
        }
        m.spans[2 * i] = start;
        m.spans[2 * i + 1] = pos;
      }
    }
    this.starts[f] = pos;
    for (const m of this.members) m.pending = undefined;
    // Its own allocation: a slice of Node's shared pool would keep the whole pool alive.
    if (!this.own || this.own.length < pos) this.own = Buffer.allocUnsafeSlow(Math.ceil(pos * HEADROOM));
    out.copy(this.own, 0, 0, pos);
    this.bytes = this.own.subarray(0, pos);
    this.deflated.fill(undefined);
    this.dirty = false;
  }

  family(i: number): Segment {
    const bytes = this.bytes.subarray(this.starts[i], this.starts[i + 1]);
    return { bytes, deflated: () => this.deflatedFamily(i, bytes) };
  }

  /** How many families' deflated forms are ready. */
  get deflatedCount(): number {
    return this.deflated.filter((d) => d !== undefined).length;
  }

  /** Deflates every family now (the idle pass, once gzip scrapes are seen). */
  deflateAll(): void {
    for (let i = 0; i < this.families; i++) this.deflatedFamily(i, this.bytes.subarray(this.starts[i], this.starts[i + 1]));
  }

  private deflatedFamily(i: number, bytes: Uint8Array): Uint8Array {
    this.onDeflate();
    return (this.deflated[i] ??= deflateSegment(bytes));
  }
}

function spanBytes(spans: readonly number[], families: number): number {
  let n = 0;
  for (let i = 0; i < families; i++) n += (spans[2 * i + 1] as number) - (spans[2 * i] as number);
  return n;
}

/** The blocks in the order targets were added; a removed target's block closes the gap on rebuild. */
export class SeriesBlocks {
  private readonly blocks: Block[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Set once a scrape asked for deflated lines: from then on the idle pass deflates too. */
  private deflating = false;
  private readonly sawDeflate = () => {
    this.deflating = true;
  };

  /** `idleMs`: how long after a result its block is rebuilt in the background. */
  constructor(
    private readonly families: number,
    private readonly idleMs = 1000,
  ) {}

  add(): Member {
    let block = this.blocks.at(-1);
    if (!block || block.members.length >= BLOCK_SIZE) this.blocks.push((block = new Block(this.families, this.sawDeflate)));
    const member: Member = { block, spans: new Array<number>(2 * this.families).fill(0) };
    block.members.push(member);
    return member;
  }

  /** New lines for a member, one string per family; copied into its block by the next idle pass or scrape. */
  set(member: Member, lines: readonly string[]): void {
    member.pending = lines;
    this.touch(member.block);
  }

  remove(member: Member): void {
    const block = member.block;
    const i = block.members.indexOf(member);
    if (i < 0) return;
    block.members.splice(i, 1);
    if (block.members.length === 0) this.blocks.splice(this.blocks.indexOf(block), 1);
    else this.touch(block);
  }

  /** Family i's lines of every block, in order (rebuilding what is still pending). */
  familySlices(i: number, out: Segment[]): void {
    for (const block of this.blocks) {
      if (block.dirty) block.rebuild();
      const slice = block.family(i);
      if (slice.bytes.length > 0) out.push(slice);
    }
  }

  /** Every family in order: its HELP/TYPE, then its lines from every block (pending ones copied in first). */
  renderInto(out: Chunk[], families: readonly { name: string; help: string; type: FamilyType }[], openMetrics: boolean): void {
    this.flush();
    const slices: Segment[] = [];
    families.forEach((family, i) => {
      out.push(familyHeader(family.name, family.help, family.type, openMetrics));
      slices.length = 0;
      this.familySlices(i, slices);
      out.push(...slices);
    });
  }

  /**
   * Rebuilds every block with pending lines now. The idle pass also deflates them, once
   * gzip scrapes were seen; the scrape (which calls this first) leaves that to gzip.
   */
  flush(idle = false): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const block of this.blocks) {
      if (!block.dirty) continue;
      block.rebuild();
      if (idle && this.deflating) block.deflateAll();
    }
  }

  private touch(block: Block): void {
    block.dirty = true;
    // unref: a pending rebuild never keeps the process alive.
    this.flushTimer ??= setTimeout(() => this.flush(true), this.idleMs).unref();
  }
}
