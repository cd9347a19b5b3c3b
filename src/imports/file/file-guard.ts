import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import * as yauzl from 'yauzl';
import { AppError } from '../../common/errors/app-error';
import { contentType, ooxmlWorkbookPath } from './xml';

/**
 * The first gate of an upload: what the bytes are (never what the name says),
 * and whether a zip may be opened at all. Zips are read with yauzl: the central
 * directory is checked against the bomb limits before anything is inflated,
 * and each part is inflated as a stream that fails as soon as it outgrows its
 * declared size.
 */

export type FileKind = 'xlsx' | 'ods' | 'csv';

export interface ZipLimits {
  /** Entries in the central directory. */
  maxEntries: number;
  /** Sum of the declared uncompressed sizes, in bytes. */
  maxTotalUncompressed: number;
  /** Uncompressed / compressed, per entry and for the whole file. */
  maxRatio: number;
  /** Below this many uncompressed bytes a high ratio is harmless (a small XML part of repeated tags deflates 300 times). */
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
  notSpreadsheetZip:
    'The file is not a spreadsheet (.xlsx or .ods): it is a zip archive without a workbook in it (a Word or other document renamed?)',
  notText: 'The file is neither a spreadsheet (.xlsx, .ods) nor a CSV file',
  notUtf8:
    'The file is not UTF-8 text: save it as an Excel workbook (.xlsx) or, for CSV, as "CSV UTF-8 (comma delimited)"',
  encrypted: 'The workbook is encrypted: remove the password and save it again',
  method: 'The file uses an unsupported compression method: save it again from Excel or LibreOffice',
} as const;

const invalid = (message: string) => AppError.badRequest('INVALID_FILE', message);
const bomb = (why: string) => invalid(`The file looks like a decompression bomb: ${why}`);
const mb = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/** A yauzl failure as the user's error: a part that outgrows its declared size is a bomb, anything else damage. */
function zipError(e: unknown, name?: string): AppError {
  if (e instanceof AppError) return e;
  if (/too many bytes/i.test(String((e as Error)?.message))) return bomb(`"${name}" expands beyond its declared size`);
  return invalid(MESSAGES.damaged);
}

/** A zip whose directory passed the limits; parts are inflated on demand only. */
export class ZipArchive {
  private readonly early = new Map<string, Promise<Buffer | null>>();

  private constructor(
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
  ) {}

  static async open(buf: Buffer, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Promise<ZipArchive> {
    const minBytesForRatio = limits.minBytesForRatio ?? DEFAULT_ZIP_LIMITS.minBytesForRatio;
    const opts = { lazyEntries: true, autoClose: false, validateEntrySizes: true };
    const zip = await new Promise<yauzl.ZipFile>((ok, ko) => yauzl.fromBuffer(buf, opts, (e, z) => (e ? ko(zipError(e)) : ok(z))));
    if (zip.entryCount > limits.maxEntries) {
      throw bomb(`it holds ${zip.entryCount} entries (at most ${limits.maxEntries} are accepted)`);
    }
    const entries = new Map<string, yauzl.Entry>();
    let total = 0;
    await new Promise<void>((ok, ko) => {
      zip.on('error', (e) => ko(zipError(e)));
      zip.on('end', () => ok());
      zip.on('entry', (entry: yauzl.Entry) => {
        const { fileName: name, compressedSize, uncompressedSize } = entry;
        total += uncompressedSize;
        let problem: AppError | null = null;
        if (entries.has(name)) problem = invalid(MESSAGES.damaged);
        else if (entry.isEncrypted()) problem = invalid(MESSAGES.encrypted);
        else if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) problem = invalid(MESSAGES.method);
        else if (uncompressedSize > 0 && compressedSize === 0) problem = bomb(`"${name}" expands from nothing`);
        else if (uncompressedSize >= minBytesForRatio && uncompressedSize / compressedSize > limits.maxRatio) {
          problem = bomb(`one part expands ${Math.round(uncompressedSize / compressedSize)} times (at most ${limits.maxRatio})`);
        } else if (total > limits.maxTotalUncompressed) problem = bomb(`it expands to more than ${mb(limits.maxTotalUncompressed)}`);
        if (problem) return ko(problem);
        entries.set(name, entry);
        zip.readEntry();
      });
      zip.readEntry();
    });
    if (total >= minBytesForRatio && total / buf.length > limits.maxRatio) {
      throw bomb(`it expands ${Math.round(total / buf.length)} times its size (at most ${limits.maxRatio})`);
    }
    return new ZipArchive(zip, entries);
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entries' names, in zip order. */
  get names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The part's bytes, chunk by chunk as they are inflated; stopping early (a
   * `break`) stops the inflation. Fails past the declared size (a bomb), short
   * of it or on a CRC mismatch (damaged).
   */
  async *chunks(name: string): AsyncGenerator<Buffer> {
    const entry = this.entries.get(name);
    if (!entry) throw invalid(MESSAGES.damaged);
    let stream: Readable;
    try {
      stream = await new Promise<Readable>((ok, ko) => this.zip.openReadStream(entry, (e, s) => (e ? ko(e) : ok(s))));
    } catch (e) {
      throw zipError(e, name);
    }
    let crc = 0;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc);
        yield chunk;
      }
    } catch (e) {
      throw zipError(e, name);
    } finally {
      stream.destroy();
    }
    if (crc >>> 0 !== entry.crc32 >>> 0) throw invalid(MESSAGES.damaged);
  }

  /** A whole part, or null when the zip has none of that name. */
  read(name: string): Promise<Buffer | null> {
    const early = this.early.get(name);
    this.early.delete(name);
    return early ?? this.inflate(name);
  }

  /** Starts inflating a part that {@link read} will be asked for. */
  prefetch(name: string): void {
    const promise = this.inflate(name);
    promise.catch(() => undefined); // reported by read()
    this.early.set(name, promise);
  }

  private async inflate(name: string): Promise<Buffer | null> {
    if (!this.entries.has(name)) return null;
    const parts: Buffer[] = [];
    for await (const chunk of this.chunks(name)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  async text(name: string): Promise<string | null> {
    return (await this.read(name))?.toString('utf8') ?? null;
  }

  close(): void {
    this.zip.close();
  }
}

const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const ODS_TYPES = ['application/vnd.oasis.opendocument.spreadsheet', 'application/vnd.oasis.opendocument.spreadsheet-template'];

/**
 * Which spreadsheet a zip holds: an OpenDocument spreadsheet (its `mimetype`),
 * or an OOXML package whose main part is a workbook (its content type; when
 * none is declared, the usual part name xl/workbook.xml).
 */
async function zipKind(zip: ZipArchive): Promise<FileKind> {
  const mimetype = (await zip.read('mimetype'))?.toString('utf8').trim();
  if (mimetype && ODS_TYPES.includes(mimetype) && zip.has('content.xml')) return 'ods';
  const workbook = zip.has('[Content_Types].xml') ? await ooxmlWorkbookPath(zip) : null;
  if (workbook && zip.has(workbook)) {
    const type = await contentType(zip, workbook);
    if (type?.includes('.binary.') || workbook.endsWith('.bin')) throw invalid(MESSAGES.binaryXlsb);
    if (type ? /spreadsheetml\.(sheet|template)\.main|ms-excel\.(sheet|template)\.macroEnabled\.main/.test(type) : workbook === 'xl/workbook.xml') return 'xlsx';
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
    const ext = extname(fileName).toLowerCase();
    throw invalid(ext === '.csv' || ext === '.txt' ? MESSAGES.notUtf8 : MESSAGES.notText);
  }
  if (text.trim() === '') throw invalid(MESSAGES.empty);
  return 'csv';
}
