import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { crc32, inflateRaw as inflateRawCallback, InputType, ZlibOptions } from 'node:zlib';
import * as yauzl from 'yauzl';
import { AppError } from '../../common/errors/app-error';
import { contentType, ooxmlWorkbookPath } from './xml';

/**
 * The first gate of an upload: what the bytes are (never what the name says),
 * and whether a zip may be opened at all. yauzl reads the central directory,
 * which is checked against the bomb limits before anything is inflated, and
 * hands each part's stored bytes; zlib inflates them, never past the size the
 * directory declared (yauzl's own streaming inflate, in 16 KB callbacks, was
 * measured slower).
 */

export type FileKind = 'xlsx' | 'ods' | 'csv';

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the declared uncompressed sizes, in bytes. */
  maxTotalUncompressed: number;
  /** Uncompressed / compressed, per entry and for the whole file… */
  maxRatio: number;
  /** …from this many uncompressed bytes on (a small XML part of repeated tags deflates 300 times, harmlessly). */
  minBytesForRatio?: number;
}

export const DEFAULT_ZIP_LIMITS: Readonly<Required<ZipLimits>> = Object.freeze({
  maxEntries: 10_000,
  maxTotalUncompressed: 200 * 1024 * 1024,
  maxRatio: 200,
  minBytesForRatio: 1024 * 1024,
});

export const MESSAGES = {
  empty: 'The file is empty',
  damaged: 'The file is damaged or truncated',
  legacyXls:
    'This is a legacy Excel 97-2003 workbook (.xls) or an encrypted workbook: open it in Excel, remove any password and save it as "Excel Workbook (.xlsx)"',
  binaryXlsb: 'This is an Excel binary workbook (.xlsb): save it as "Excel Workbook (.xlsx)"',
  notSpreadsheetZip: 'The file is not a spreadsheet (.xlsx or .ods): it is a zip archive without a workbook in it (a Word or other document renamed?)',
  notText: 'The file is neither a spreadsheet (.xlsx, .ods) nor a CSV file',
  notUtf8: 'The file is not UTF-8 text: save it as an Excel workbook (.xlsx) or, for CSV, as "CSV UTF-8 (comma delimited)"',
  encrypted: 'The workbook is encrypted: remove the password and save it again',
  method: 'The file uses an unsupported compression method: save it again from Excel or LibreOffice',
} as const;

/** yauzl 3's option for the stored bytes, which @types/yauzl (written for 2.x) lacks. */
const RAW = { decodeFileData: false } as unknown as yauzl.ZipFileOptions;
const inflateRaw = promisify(inflateRawCallback) as (buf: InputType, options: ZlibOptions) => Promise<Buffer>;
const invalid = (message: string) => AppError.badRequest('INVALID_FILE', message);
const bomb = (why: string) => invalid(`The file looks like a decompression bomb: ${why}`);

/** A yauzl or zlib failure as the user's error: inflating past the declared size is a bomb, anything else damage. */
function zipError(e: unknown, name?: string): AppError {
  if (e instanceof AppError) return e;
  return (e as NodeJS.ErrnoException)?.code === 'ERR_BUFFER_TOO_LARGE' ? bomb(`"${name}" expands beyond its declared size`) : invalid(MESSAGES.damaged);
}

/** A zip whose directory passed the limits; parts are inflated on demand only. */
export class ZipArchive {
  private readonly pending = new Map<string, Promise<Buffer | null>>();

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async open(buf: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    const { maxEntries, maxTotalUncompressed: maxTotal, maxRatio, minBytesForRatio = DEFAULT_ZIP_LIMITS.minBytesForRatio } = limits;
    const opts = { lazyEntries: true, autoClose: false };
    const zip = await new Promise<yauzl.ZipFile>((ok, ko) => yauzl.fromBuffer(buf, opts, (e, z) => (e ? ko(zipError(e)) : ok(z))));
    if (zip.entryCount > maxEntries) throw bomb(`it holds ${zip.entryCount} entries (at most ${maxEntries} are accepted)`);
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    await new Promise<void>((ok, ko) => {
      zip.on('error', (e) => ko(zipError(e)));
      zip.on('end', ok);
      zip.on('entry', (entry: yauzl.Entry) => {
        const { fileName: name, compressedSize: packed, uncompressedSize: size } = entry;
        total += size;
        if (entries.has(name)) return ko(invalid(MESSAGES.damaged));
        if (entry.isEncrypted()) return ko(invalid(MESSAGES.encrypted));
        if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) return ko(invalid(MESSAGES.method));
        if (size > 0 && packed === 0) return ko(bomb(`"${name}" expands from nothing`));
        if (size >= minBytesForRatio && size / packed > maxRatio) return ko(bomb(`one part expands ${Math.round(size / packed)} times (at most ${maxRatio})`));
        if (total > maxTotal) return ko(bomb(`it expands to more than ${Math.round(maxTotal / (1024 * 1024))} MB`));
        entries.set(name, entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
    if (total >= minBytesForRatio && total / buf.length > maxRatio) {
      throw bomb(`it expands ${Math.round(total / buf.length)} times its size (at most ${maxRatio})`);
    }
    return new ZipArchive(zip, entries);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  /** A whole part, or null when there is none of that name. */
  read(name: string): Promise<Buffer | null> {
    const pending = this.pending.get(name);
    this.pending.delete(name);
    return pending ?? this.inflate(name);
  }

  /** Starts inflating a part {@link read} will be asked for (zlib works off the main thread). */
  prefetch(name: string): void {
    const promise = this.inflate(name);
    promise.catch(() => undefined); // reported by read()
    this.pending.set(name, promise);
  }

  close(): void {
    this.zip.close();
  }

  /**
   * yauzl hands the part's stored bytes; zlib inflates them in one piece off
   * the main thread, never past the declared size (a bomb). Short of it or a
   * CRC mismatch: damaged.
   */
  private async inflate(name: string): Promise<Buffer | null> {
    const entry = this.entries.get(name);
    if (!entry) return null;
    let data: Buffer;
    try {
      const stream = await new Promise<Readable>((ok, ko) => this.zip.openReadStream(entry, RAW, (e, s) => (e ? ko(e) : ok(s))));
      const chunks: Buffer[] = [];
      for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
      data = Buffer.concat(chunks);
      const size = entry.uncompressedSize;
      // In 1 MB steps rather than zlib's default 16 KB: far fewer round trips to the main thread.
      if (entry.compressionMethod === 8)
        data = await inflateRaw(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.min(Math.max(size, 64), 1 << 20) });
    } catch (e) {
      throw zipError(e, name);
    }
    if (data.length !== entry.uncompressedSize || crc32(data) >>> 0 !== entry.crc32 >>> 0) throw invalid(MESSAGES.damaged);
    return data;
  }
}

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ODS_TYPES = ['application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet-template'];
const WORKBOOK_TYPE = /spreadsheetml\.(sheet|template)\.main|ms-excel\.(sheet|template)\.macroEnabled\.main/;

/**
 * Which spreadsheet a zip holds: an OpenDocument spreadsheet (its `mimetype`),
 * or an OOXML package whose main part is a workbook (its content type or,
 * when none is declared, the usual part name xl/workbook.xml).
 */
async function zipKind(zip: ZipArchive): Promise<FileKind> {
  const mimetype = (await zip.read('mimetype'))?.toString('utf8').trim();
  if (mimetype && ODS_TYPES.includes(mimetype) && zip.has('content.xml')) return 'ods';
  const workbook = zip.has('[Content_Types].xml') ? await ooxmlWorkbookPath(zip) : null;
  if (workbook && zip.has(workbook)) {
    const type = await contentType(zip, workbook);
    if (type?.includes('.binary.') || workbook.endsWith('.bin')) throw invalid(MESSAGES.binaryXlsb);
    if (type ? WORKBOOK_TYPE.test(type) : workbook === 'xl/workbook.xml') return 'xlsx';
  }
  throw invalid(MESSAGES.notSpreadsheetZip);
}

/**
 * 'xlsx', 'ods' or 'csv' from the bytes; the file name only words the
 * messages. A zip must be a spreadsheet within the zip limits; anything else
 * must be UTF-8 text without NUL bytes to be read as CSV. Throws 400
 * INVALID_FILE otherwise.
 */
export async function detectKind(buf: Buffer, fileName: string, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<FileKind> {
  if (buf.length === 0) throw invalid(MESSAGES.empty);
  if (buf.subarray(0, 4).equals(ZIP_MAGIC)) {
    const zip = await ZipArchive.open(buf, limits);
    try {
      return await zipKind(zip);
    } finally {
      zip.close();
    }
  }
  if (buf.subarray(0, 4).equals(OLE_MAGIC)) throw invalid(MESSAGES.legacyXls);
  // UTF-16 (Excel's "Unicode text") and other encodings: say how to save it.
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) throw invalid(MESSAGES.notUtf8);
  if (buf.includes(0)) throw invalid(MESSAGES.notText);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, 3).equals(UTF8_BOM) ? buf.subarray(3) : buf);
  } catch {
    throw invalid(['.csv', '.txt'].includes(extname(fileName).toLowerCase()) ? MESSAGES.notUtf8 : MESSAGES.notText);
  }
  if (text.trim() === '') throw invalid(MESSAGES.empty);
  return 'csv';
}
