/** FROZEN BASELINE (see reader.ts): the old zip inspection, as it was. */
import { promisify } from 'node:util';
import { crc32, inflateRaw } from 'node:zlib';
import { AppError } from '../../src/common/errors/app-error';

/**
 * The first gate of an upload: what the bytes are (never what the name says),
 * and whether a zip may be opened at all. Everything here is synchronous and
 * reads only headers, except {@link inflateEntry}, which inflates one entry
 * under a hard cap.
 */

export type FileKind = 'xlsx' | 'csv';

export interface ZipLimits {
  /** Entries in the central directory. */
  maxEntries: number;
  /** Sum of the declared uncompressed sizes, in bytes. */
  maxTotalUncompressed: number;
  /** Uncompressed / compressed, per entry and for the whole file. */
  maxRatio: number;
  /**
   * Below this many uncompressed bytes a high ratio is harmless (a small XML
   * part of repeated tags can deflate 300 times), so it is not checked.
   */
  minBytesForRatio?: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<Required<ZipLimits>> = Object.freeze({
  maxEntries: 10_000,
  maxTotalUncompressed: 200 * 1024 * 1024,
  maxRatio: 200,
  minBytesForRatio: 1024 * 1024,
});

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated: the only two accepted. */
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Where the entry's (compressed) data starts in the buffer. */
  dataOffset: number;
}

export interface ZipInfo {
  entries: ZipEntry[];
  byName: Map<string, ZipEntry>;
  totalUncompressed: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export const MESSAGES = {
  empty: 'The file is empty',
  damaged: 'The file is damaged or truncated',
  legacyXls:
    'This is a legacy Excel 97-2003 workbook (.xls) or an encrypted workbook: open it in Excel, remove any password and save it as "Excel Workbook (.xlsx)"',
  notSpreadsheetZip: 'The file is not an Excel workbook (.xlsx): it is a zip archive without a workbook in it (a Word or other document renamed .xlsx?)',
  notText: 'The file is neither an Excel workbook (.xlsx) nor a CSV file',
  notUtf8: 'The file is not UTF-8 text: save it as an Excel workbook (.xlsx) or, for CSV, as "CSV UTF-8 (comma delimited)"',
  zip64: 'The file uses ZIP64 archive extensions, which are not supported for imports',
  encrypted: 'The workbook is encrypted: remove the password and save it again',
  method: 'The file uses an unsupported compression method: save it again as .xlsx from Excel or LibreOffice',
} as const;

function invalid(message: string, details?: unknown): AppError {
  return AppError.badRequest('INVALID_FILE', message, details);
}

function bomb(why: string): AppError {
  return invalid(`The file looks like a decompression bomb: ${why}`);
}

const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * Reads the End Of Central Directory record and the central directory, without
 * inflating anything. Rejects: no or truncated EOCD, ZIP64, multi-disk archives,
 * encrypted entries, methods other than store/deflate, duplicate names, entries
 * whose data lies outside the file, and bombs by declared sizes: too many
 * entries, too many bytes in total, or an entry (or the whole file) that expands
 * more than `maxRatio` times. Declared sizes can lie: {@link inflateEntry}
 * enforces them while inflating.
 */
export function inspectZip(buf: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipInfo {
  const minBytesForRatio = limits.minBytesForRatio ?? DEFAULT_ZIP_LIMITS.minBytesForRatio;
  if (buf.length < EOCD_SIZE) throw invalid(MESSAGES.damaged);

  // The EOCD is the last record; only a comment (≤ 64 KiB) may follow it.
  let eocd = -1;
  const lowest = Math.max(0, buf.length - EOCD_SIZE - MAX_COMMENT);
  for (let i = buf.length - EOCD_SIZE; i >= lowest; i--) {
    if (buf.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + buf.readUInt16LE(i + 20) <= buf.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw invalid(MESSAGES.damaged);

  if (eocd >= 20 && buf.readUInt32LE(eocd - 20) === SIG_ZIP64_LOCATOR) throw invalid(MESSAGES.zip64);
  const disk = buf.readUInt16LE(eocd + 4);
  const cdDisk = buf.readUInt16LE(eocd + 6);
  const entriesOnDisk = buf.readUInt16LE(eocd + 8);
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || entriesOnDisk === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    throw invalid(MESSAGES.zip64);
  }
  if (disk !== 0 || cdDisk !== 0 || entriesOnDisk !== count) throw invalid(MESSAGES.damaged);
  if (count > limits.maxEntries) {
    throw bomb(`it holds ${count} entries (at most ${limits.maxEntries} are accepted)`);
  }
  if (cdOffset + cdSize > eocd) throw invalid(MESSAGES.damaged);

  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  let total = 0;
  let p = cdOffset;
  const cdEnd = cdOffset + cdSize;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cdEnd || buf.readUInt32LE(p) !== SIG_CENTRAL) throw invalid(MESSAGES.damaged);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const compressedSize = buf.readUInt32LE(p + 20);
    const uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const diskStart = buf.readUInt16LE(p + 34);
    const localHeaderOffset = buf.readUInt32LE(p + 42);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cdEnd) throw invalid(MESSAGES.damaged);
    const name = buf.toString(flags & 0x0800 ? 'utf8' : 'latin1', p + 46, p + 46 + nameLength);
    p = next;

    if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      throw invalid(MESSAGES.zip64);
    }
    if (diskStart === 0xffff) throw invalid(MESSAGES.zip64);
    if (flags & 0x0001) throw invalid(MESSAGES.encrypted);
    if (method !== 0 && method !== 8) throw invalid(MESSAGES.method);
    if (method === 0 && compressedSize !== uncompressedSize) throw invalid(MESSAGES.damaged);
    if (byName.has(name)) throw invalid(MESSAGES.damaged);

    // The local header must be where the directory says, and the data inside the file.
    if (localHeaderOffset + 30 > cdOffset || buf.readUInt32LE(localHeaderOffset) !== SIG_LOCAL) {
      throw invalid(MESSAGES.damaged);
    }
    const dataOffset = localHeaderOffset + 30 + buf.readUInt16LE(localHeaderOffset + 26) + buf.readUInt16LE(localHeaderOffset + 28);
    if (dataOffset + compressedSize > cdOffset) throw invalid(MESSAGES.damaged);

    if (uncompressedSize > 0 && compressedSize === 0) throw bomb(`"${name}" expands from nothing`);
    if (uncompressedSize >= minBytesForRatio && uncompressedSize / compressedSize > limits.maxRatio) {
      throw bomb(`one part expands ${Math.round(uncompressedSize / compressedSize)} times (at most ${limits.maxRatio})`);
    }
    total += uncompressedSize;
    if (total > limits.maxTotalUncompressed) {
      throw bomb(`it expands to more than ${mb(limits.maxTotalUncompressed)}`);
    }

    const entry: ZipEntry = {
      name,
      method,
      flags,
      crc32: crc,
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
      dataOffset,
    };
    entries.push(entry);
    byName.set(name, entry);
  }
  if (total >= minBytesForRatio && total / buf.length > limits.maxRatio) {
    throw bomb(`it expands ${Math.round(total / buf.length)} times its size (at most ${limits.maxRatio})`);
  }
  return { entries, byName, totalUncompressed: total };
}

const inflateRawAsync = promisify(inflateRaw) as (buf: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

/**
 * The content of one entry. Inflation stops as soon as it produces more bytes
 * than the entry declared (so the limits checked by {@link inspectZip} on declared
 * sizes also bound the bytes really produced); a shorter result or a CRC mismatch
 * means a damaged file.
 */
export async function inflateEntry(buf: Buffer, entry: ZipEntry): Promise<Buffer> {
  const raw = buf.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) {
    data = raw;
  } else {
    try {
      data = await inflateRawAsync(raw, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw bomb(`"${entry.name}" expands beyond its declared size`);
      }
      throw invalid(MESSAGES.damaged);
    }
  }
  if (data.length !== entry.uncompressedSize) throw invalid(MESSAGES.damaged);
  if (crc32(data) >>> 0 !== entry.crc32 >>> 0) throw invalid(MESSAGES.damaged);
  return data;
}
