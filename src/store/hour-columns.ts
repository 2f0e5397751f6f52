/**
 * One series' rows of one whole UTC hour packed in a blob (`hour_columns.columns`), so that a long read
 * (a 30-day report reads 4.32 M rows) copies a few hundred blobs per series instead of stepping row by
 * row through SQLite. A derived copy, like the hourly summaries: the rows stay the record, and a blob
 * that does not decode is simply not used.
 *
 * Layout, little-endian:
 *   0  u8   format (1)
 *   1  u8   flags: 1 = evenly spaced times (no time column), 2 = some row is unknown (flag column)
 *   4  u32  row count n
 *   8  u32  first row's time, ms after the hour's start (evenly spaced: else 0)
 *   12 u32  spacing in ms (evenly spaced: else 0)
 *   16      n × f64 values (NaN where the value is NULL)
 *   then    n × u32 times, ms after the hour's start (unless evenly spaced)
 *   then    n × u8 unknown flags (only when some row is unknown)
 */
import { endianness } from 'node:os';
import type { SeriesColumns } from './types.js';

const FORMAT = 1;
const EVENLY_SPACED = 1;
const HAS_UNKNOWN = 2;
const HEADER_BYTES = 16;
/** Typed arrays use the machine's byte order; on little-endian machines values are copied as bytes. */
const LITTLE_ENDIAN = endianness() === 'LE';

/** Rows [start, end) of `columns`, all within the hour starting at `hour` (epoch ms), as a blob. */
export function encodeHour(columns: SeriesColumns, start: number, end: number, hour: number): Buffer {
  const count = end - start;
  const { at, value, unknown } = columns;
  const first = count > 0 ? at[start]! - hour : 0;
  const spacing = count > 1 ? at[start + 1]! - at[start]! : 0;
  let evenlySpaced = spacing > 0 || count === 1;
  let anyUnknown = false;
  for (let i = start; i < end; i++) {
    if (evenlySpaced && at[i] !== at[start]! + (i - start) * spacing) evenlySpaced = false;
    if (unknown[i] === 1) anyUnknown = true;
  }
  const size = HEADER_BYTES + count * 8 + (evenlySpaced ? 0 : count * 4) + (anyUnknown ? count : 0);
  const blob = Buffer.alloc(size);
  blob.writeUInt8(FORMAT, 0);
  blob.writeUInt8((evenlySpaced ? EVENLY_SPACED : 0) | (anyUnknown ? HAS_UNKNOWN : 0), 1);
  blob.writeUInt32LE(count, 4);
  if (evenlySpaced) {
    blob.writeUInt32LE(first, 8);
    blob.writeUInt32LE(spacing, 12);
  }
  let offset = HEADER_BYTES;
  for (let i = start; i < end; i++, offset += 8) blob.writeDoubleLE(value[i]!, offset);
  if (!evenlySpaced) {
    for (let i = start; i < end; i++, offset += 4) blob.writeUInt32LE(at[i]! - hour, offset);
  }
  if (anyUnknown) blob.set(unknown.subarray(start, end), offset);
  return blob;
}

/** How many rows `blob` holds, or null when it is not a blob this code wrote (then read the rows). */
export function hourRowCount(blob: Uint8Array): number | null {
  if (blob.length < HEADER_BYTES || blob[0] !== FORMAT) return null;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const flags = view.getUint8(1);
  const count = view.getUint32(4, true);
  const size =
    HEADER_BYTES + count * 8 + (flags & EVENLY_SPACED ? 0 : count * 4) + (flags & HAS_UNKNOWN ? count : 0);
  return size === blob.length ? count : null;
}

/**
 * Writes the rows of `blob` (checked by `hourRowCount`) into `into` from `index` on; `into` has room.
 * `hour` is the hour's start, epoch ms.
 */
export function decodeHourInto(blob: Uint8Array, hour: number, into: SeriesColumns, index: number): void {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const flags = view.getUint8(1);
  const count = view.getUint32(4, true);
  const { at, value, unknown } = into;
  let offset = HEADER_BYTES;
  if (LITTLE_ENDIAN) {
    new Uint8Array(value.buffer, value.byteOffset + index * 8, count * 8).set(
      blob.subarray(offset, offset + count * 8),
    );
  } else {
    for (let i = 0; i < count; i++) value[index + i] = view.getFloat64(offset + i * 8, true);
  }
  offset += count * 8;
  if (flags & EVENLY_SPACED) {
    const first = hour + view.getUint32(8, true);
    const spacing = view.getUint32(12, true);
    for (let i = 0; i < count; i++) at[index + i] = first + i * spacing;
  } else {
    for (let i = 0; i < count; i++, offset += 4) at[index + i] = hour + view.getUint32(offset, true);
  }
  if (flags & HAS_UNKNOWN) unknown.set(blob.subarray(offset, offset + count), index);
  else unknown.fill(0, index, index + count);
}
