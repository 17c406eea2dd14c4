import * as zlib from 'node:zlib';

let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  if (table) return table;
  table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

function crc32Js(data: Uint8Array): number {
  const t = crcTable();
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

type NativeCrc = (data: Uint8Array) => number;
// zlib.crc32 is native from Node 20.15 / 22.2; older Node 20 falls back to the table version.
const native = (zlib as unknown as { crc32?: NativeCrc }).crc32;

/** CRC-32 (IEEE 802.3, as zlib/PNG/gzip) of the bytes. */
export function crc32(data: Uint8Array): number {
  return native ? native(data) >>> 0 : crc32Js(data);
}

/** The portable implementation, exported so that tests can check it against the native one. */
export const crc32Portable: (data: Uint8Array) => number = crc32Js;
