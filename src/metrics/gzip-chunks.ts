/**
 * A gzip body assembled from pieces deflated separately. Each piece is a raw deflate stream
 * ended by a sync flush (byte aligned, not final), so pieces join into one valid stream
 * (RFC 1951: a new piece refers back only to its own bytes); an empty final block, the CRC-32
 * and the length of the whole close the gzip member (RFC 1952). Cached lines are deflated
 * once when they change (series-blocks.ts), so a scrape deflates only prom-client's text and
 * the family headers (~40 KB at 5,000 targets) instead of ~8 MB, and computes the CRC.
 */
import { constants, crc32, deflateRawSync } from 'node:zlib';
import type { Chunk } from './exposition.js';

/** Level 1: most of the size for a fraction of the CPU of the default level. */
export function deflateSegment(bytes: Uint8Array): Buffer {
  // zlib's default 16 KB output buffer per call was most of the garbage: cached lines
  // deflate ~15-20x, so a buffer sized to the expected output (grown by zlib if short) does.
  const chunkSize = Math.max(512, bytes.length >> 3);
  return deflateRawSync(bytes, { level: constants.Z_BEST_SPEED, finishFlush: constants.Z_SYNC_FLUSH, chunkSize });
}

/** ID1 ID2 CM=deflate FLG=0 MTIME=0 XFL=0 OS=255 (unknown). */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
/** A final fixed-Huffman block with no data: ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

export function gzipChunks(chunks: readonly Chunk[]): Buffer {
  const parts: Uint8Array[] = [HEADER];
  let crc = 0;
  let size = 0;
  const add = (raw: Uint8Array, deflated: () => Uint8Array) => {
    if (raw.length === 0) return;
    crc = crc32(raw, crc);
    size += raw.length;
    parts.push(deflated());
  };
  // Runs of text (headers, prom-client's output) are encoded and deflated together.
  let text: string[] = [];
  const flush = () => {
    if (text.length === 0) return;
    const raw = Buffer.from(text.join(''), 'utf8');
    add(raw, () => deflateSegment(raw));
    text = [];
  };
  for (const chunk of chunks) {
    if (typeof chunk === 'string') {
      text.push(chunk);
      continue;
    }
    flush();
    if (chunk instanceof Uint8Array) add(chunk, () => deflateSegment(chunk));
    else add(chunk.bytes, () => chunk.deflated());
  }
  flush();
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  // ISIZE is the length modulo 2^32.
  trailer.writeUInt32LE(size % 2 ** 32, 4);
  parts.push(FINAL_BLOCK, trailer);
  return Buffer.concat(parts);
}
