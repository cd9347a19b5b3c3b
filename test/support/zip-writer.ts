import { crc32, deflateRawSync } from 'node:zlib';

/**
 * One entry of a zip written by {@link zipChunks}. `data` is the uncompressed
 * content; `compressed` lets a caller supply raw deflate data it produced itself
 * (a bomb fixture streams 300 MB of zeros through a deflater without holding
 * them), in which case `crc32` and `uncompressedSize` must be given too.
 * `declaredSize` overrides the size written in the headers, to build zips that lie.
 */
export interface ZipWriterEntry {
  name: string;
  data?: Buffer;
  method?: 'store' | 'deflate';
  compressed?: Buffer;
  crc32?: number;
  uncompressedSize?: number;
  declaredSize?: number;
}

const DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1;

/**
 * The bytes of a plain (non-ZIP64) zip archive, as a list of chunks so a large
 * entry is never copied into one more buffer: `Readable.from(chunks)` streams it,
 * `Buffer.concat(chunks)` makes a file of it.
 */
export function zipChunks(entries: ZipWriterEntry[]): Buffer[] {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    let method: number;
    let body: Buffer;
    let size: number;
    let crc: number;
    if (entry.compressed) {
      method = 8;
      body = entry.compressed;
      size = entry.uncompressedSize ?? 0;
      crc = entry.crc32 ?? 0;
    } else {
      const data = entry.data ?? Buffer.alloc(0);
      method = entry.method === 'deflate' ? 8 : 0;
      body = method === 8 ? deflateRawSync(data) : data;
      size = data.length;
      crc = entry.crc32 ?? crc32(data);
    }
    const declared = entry.declaredSize ?? size;
    if (body.length > 0xfffffffe || declared > 0xfffffffe || offset > 0xfffffffe) {
      throw new RangeError('zipChunks writes no ZIP64 archives');
    }

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(DOS_DATE_1980_01_01, 12);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(declared, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    chunks.push(local, name, body);

    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(method, 10);
    cd.writeUInt16LE(0, 12);
    cd.writeUInt16LE(DOS_DATE_1980_01_01, 14);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(declared, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    central.push(cd, name);

    offset += local.length + name.length + body.length;
  }
  const cdSize = central.reduce((n, b) => n + b.length, 0);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdSize, 12);
  eocd.writeUInt32LE(offset, 16);
  return [...chunks, ...central, eocd];
}

export function buildZip(entries: ZipWriterEntry[]): Buffer {
  return Buffer.concat(zipChunks(entries));
}
