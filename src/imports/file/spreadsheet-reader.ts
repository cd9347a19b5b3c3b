import { posix } from 'node:path';
import { Readable } from 'node:stream';
import * as ExcelJS from 'exceljs';
import { AppError } from '../../common/errors/app-error';
import { cellText, cleanPassword, cleanText } from './cell-text';
import { HeaderMap, matchHeader, RowField, ROW_FIELDS } from './columns';
import { csvRecords, CsvDelimiter, detectDelimiter } from './csv';
import { FastRow, readSheetFast, SheetParts } from './fast-sheet';
import { DEFAULT_ZIP_LIMITS, FileKind, inflateEntry, inspectZip, MESSAGES, ZipInfo, ZipLimits } from './file-guard';
import { zipChunks } from './zip-writer';

export interface ImportRow {
  /** The row number a spreadsheet shows (1-based; the header is usually 1). */
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  group: string;
  department: string;
}

export interface ReadResult {
  rows: ImportRow[];
  /** Row number of the header. */
  headerRow: number;
  /** For .xlsx: the name of the sheet that was read (the first one). */
  sheetName?: string;
}

export interface ReadOptions {
  /** Non-empty data rows accepted; one more is 400 TOO_MANY_ROWS, and reading stops there. */
  maxRows: number;
  /** Zip limits for .xlsx (default: those of {@link DEFAULT_ZIP_LIMITS}). */
  zipLimits?: ZipLimits;
}

/**
 * Collects rows as they come: the first non-empty row is the header, every later
 * row that has text in a mapped column is a data row (keeping its own number).
 */
class RowCollector {
  readonly rows: ImportRow[] = [];
  headerRow = 0;
  private header: HeaderMap | null = null;
  private columns: Array<[RowField, number]> = [];

  constructor(private readonly maxRows: number) {}

  get hasHeader(): boolean {
    return this.header !== null;
  }

  /** `cells` by 0-based column, raw texts. */
  setHeader(rowNumber: number, cells: string[]): void {
    this.header = matchHeader(cells.map(cleanText));
    this.headerRow = rowNumber;
    this.columns = ROW_FIELDS.filter((f) => this.header![f] !== undefined).map((f) => [f, this.header![f]!]);
  }

  /** `text(col)`: the raw text of a 0-based column. */
  add(rowNumber: number, text: (col: number) => string): void {
    const row: ImportRow = { row: rowNumber, firstName: '', lastName: '', email: '', password: '', group: '', department: '' };
    let empty = true;
    for (const [field, col] of this.columns) {
      const value = field === 'password' ? cleanPassword(text(col)) : cleanText(text(col));
      if (value !== '') empty = false;
      row[field] = value;
    }
    if (empty) return;
    if (this.rows.length >= this.maxRows) {
      throw AppError.badRequest('TOO_MANY_ROWS', `The file has more than ${this.maxRows} rows of students; import at most ${this.maxRows} per file`, {
        maxRows: this.maxRows,
      });
    }
    this.rows.push(row);
  }

  result(emptyMessage: string, extra: Partial<ReadResult> = {}): ReadResult {
    if (!this.header) throw AppError.badRequest('INVALID_HEADER', emptyMessage);
    return { rows: this.rows, headerRow: this.headerRow, ...extra };
  }
}

/**
 * The data rows of an uploaded student list. .xlsx: the first worksheet in
 * workbook order only; CSV: UTF-8 (BOM or not), `,` or `;`. The header row may
 * be in English or French, in any column order (see columns.ts). Cell texts are
 * cleaned (trimmed, NBSP and zero-width characters handled); fully empty rows
 * are skipped. Throws 400 INVALID_FILE, INVALID_HEADER or TOO_MANY_ROWS.
 */
export async function readImportRows(buf: Buffer, kind: FileKind, opts: ReadOptions): Promise<ReadResult> {
  if (kind === 'csv') return readCsv(buf, opts);
  if (kind === 'xlsx') return readXlsx(buf, opts);
  throw AppError.badRequest('INVALID_FILE', MESSAGES.notText);
}

// ---------------------------------------------------------------------------- CSV

function readCsv(buf: Buffer, opts: ReadOptions): ReadResult {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(buf);
  } catch {
    throw AppError.badRequest('INVALID_FILE', MESSAGES.notUtf8);
  }
  if (text.includes('\u0000')) throw AppError.badRequest('INVALID_FILE', MESSAGES.notText);

  // Excel's own hint line, `sep=;`, which it hides and does not count as a row.
  let delimiter: CsvDelimiter;
  const hint = /^sep=([,;\t])[ \t]*(\r\n|\n|\r|$)/i.exec(text);
  if (hint) {
    delimiter = hint[1] as CsvDelimiter;
    text = text.slice(hint[0].length);
  } else {
    delimiter = detectDelimiter(text);
  }

  const collector = new RowCollector(opts.maxRows);
  let record = 0;
  for (const fields of csvRecords(text, delimiter)) {
    record++;
    if (!collector.hasHeader) {
      if (fields.some((f) => cleanText(f) !== '')) collector.setHeader(record, fields);
      continue;
    }
    collector.add(record, (col) => fields[col] ?? '');
  }
  return collector.result('The file is empty: its first row must be the header (First name, Last name, Email, …)');
}

// --------------------------------------------------------------------------- XLSX

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

function decodeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos);/gi, (m, e: string) => {
    const k = e.toLowerCase();
    if (k === 'amp') return '&';
    if (k === 'lt') return '<';
    if (k === 'gt') return '>';
    if (k === 'quot') return '"';
    if (k === 'apos') return "'";
    const code = k.startsWith('#x') ? parseInt(k.slice(2), 16) : parseInt(k.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : m;
  });
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The attributes of the start tags named `local` (any namespace prefix), in document order. */
function elements(xml: string, local: string): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const tag = new RegExp(`<(?:[\\w.-]+:)?${local}\\b((?:[^>"']|"[^"]*"|'[^']*')*)>`, 'g');
  for (const m of xml.matchAll(tag)) {
    const attrs: Record<string, string> = {};
    for (const a of m[1].matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attrs[a[1]] = decodeXml(a[2] ?? a[3] ?? '');
    }
    out.push(attrs);
  }
  return out;
}

interface Relationship {
  id: string;
  type: string;
  /** Resolved part name inside the zip, without a leading slash. */
  path: string;
}

function relationships(xml: string, baseDir: string): Relationship[] {
  return elements(xml, 'Relationship')
    .filter((r) => r.Id && r.Target && r.TargetMode !== 'External')
    .map((r) => {
      let target = r.Target;
      try {
        target = decodeURIComponent(target);
      } catch {
        // keep it as written
      }
      const path = target.startsWith('/') ? posix.normalize(target.slice(1)) : posix.join(baseDir, target);
      return { id: r.Id, type: r.Type ?? '', path };
    });
}

/**
 * exceljs's streaming reader keeps only the last run of an inline rich-text
 * string (`<is><r><t>Jo</t></r><r><t>sé</t></r></is>` reads "sé"), and a
 * phonetic reading (`<rPh>`) instead of the text: such strings are joined into
 * one `<t>` first. Only sheets with inline strings are touched.
 */
export function flattenInlineRichText(xml: Buffer): Buffer {
  if (xml.indexOf('inlineStr') < 0) return xml;
  const source = xml.toString('utf8');
  if (!/<r(?:Ph)?[\s>]/.test(source)) return xml; // no run or phonetic reading anywhere
  let changed = false;
  const out = source.replace(/<is>([\s\S]*?)<\/is>/g, (whole, inner: string) => {
    if (!/<r[\s>]|<rPh[\s>]/.test(inner)) return whole;
    changed = true;
    const texts = inner.replace(/<rPh\b[\s\S]*?<\/rPh>/g, '').match(/<t\b[^>]*\/>|<t\b[^>]*>[\s\S]*?<\/t>/g) ?? [];
    const text = texts.map((t) => (t.endsWith('/>') ? '' : t.replace(/^<t\b[^>]*>/, '').replace(/<\/t>$/, ''))).join('');
    return `<is><t xml:space="preserve">${text}</t></is>`;
  });
  return changed ? Buffer.from(out, 'utf8') : xml;
}

/**
 * The parts of the workbook's first worksheet in workbook order, inflated under
 * the size limits (declared sizes can lie): the sheet itself (inline rich text
 * flattened), the styles and the shared strings. Other sheets and all other
 * parts are never inflated.
 */
async function firstSheet(buf: Buffer, zip: ZipInfo): Promise<SheetParts> {
  const damaged = () => AppError.badRequest('INVALID_FILE', MESSAGES.damaged);
  const part = async (path: string) => {
    const entry = zip.byName.get(path);
    return entry ? inflateEntry(buf, entry) : null;
  };

  const workbookXml = (await part('xl/workbook.xml'))?.toString('utf8');
  if (!workbookXml) throw AppError.badRequest('INVALID_FILE', MESSAGES.notSpreadsheetZip);
  const relsXml = (await part('xl/_rels/workbook.xml.rels'))?.toString('utf8');
  if (!relsXml) throw damaged();
  const rels = relationships(relsXml, 'xl');

  let sheet: { name: string; path: string } | undefined;
  for (const attrs of elements(workbookXml, 'sheet')) {
    const ridKey = Object.keys(attrs).find((k) => /^[\w.-]+:id$/.test(k));
    const rel = ridKey ? rels.find((r) => r.id === attrs[ridKey]) : undefined;
    if (rel && /\/worksheet$/.test(rel.type)) {
      sheet = { name: attrs.name ?? 'Sheet1', path: rel.path };
      break;
    }
  }
  if (!sheet) throw AppError.badRequest('INVALID_HEADER', 'The workbook has no worksheet');
  if (!zip.byName.has(sheet.path)) throw damaged();

  // Inflated side by side (zlib works off the main thread); failures reported in this order.
  const relPath = (type: string, fallback: string) => rels.find((r) => r.type.endsWith(`/${type}`))?.path ?? fallback;
  const settled = await Promise.allSettled([
    part(sheet.path),
    part(relPath('styles', 'xl/styles.xml')),
    part(relPath('sharedStrings', 'xl/sharedStrings.xml')),
  ]);
  const [sheetXml, styles, sharedStrings] = settled.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  });
  if (!sheetXml) throw damaged();

  const workbookPr = elements(workbookXml, 'workbookPr')[0];
  const date1904 = workbookPr?.date1904 === '1' || workbookPr?.date1904 === 'true';

  return { name: sheet.name, date1904, sheet: flattenInlineRichText(sheetXml), styles, sharedStrings };
}

/**
 * exceljs's streaming reader emits worksheets in zip order, recognises only
 * parts named `xl/worksheets/sheetN.xml`, and spools every sheet to a temporary
 * file when the shared strings come after the sheets in the zip (as Excel writes
 * them) or when there are none. So the first sheet's parts are handed to it as
 * a new stored zip in the order it streams best: relationships, workbook,
 * styles, shared strings, then the worksheet. Each part reaches exceljs's SAX
 * parser as one chunk (unzipper hands a stored entry's buffer on whole), so it
 * reads each document whole: fast-sheet.ts, which must match it, relies on that.
 */
function excelJsZip(parts: SheetParts): Buffer[] {
  const text = (s: string) => Buffer.from(s, 'utf8');
  const entries = [
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: text(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${NS_PKG_REL}">` +
          `<Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      ),
    },
    {
      name: 'xl/workbook.xml',
      data: text(
        `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
          `<workbookPr${parts.date1904 ? ' date1904="1"' : ''}/><sheets>` +
          `<sheet name="${escapeXml(parts.name)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
      ),
    },
    ...(parts.styles ? [{ name: 'xl/styles.xml', data: parts.styles }] : []),
    {
      // Present even when empty: without it exceljs spools the sheet to a temporary file.
      name: 'xl/sharedStrings.xml',
      data: parts.sharedStrings ?? text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${NS_MAIN}" count="0" uniqueCount="0"/>`),
    },
    { name: 'xl/worksheets/sheet1.xml', data: parts.sheet },
  ];
  return zipChunks(entries);
}

/**
 * Numbers a sheet's rows and hands them to the collector: the first row with
 * text is the header. Both ways of reading a sheet go through it.
 */
class SheetRows {
  private previous = 0;

  constructor(private readonly collector: RowCollector) {}

  /**
   * `declared`: the row's own number (NaN or out of order: the one after the
   * previous row); `cells`: all its raw texts by 0-based column; `text(col)`: one.
   */
  push(declared: number, cells: () => string[], text: (col: number) => string): void {
    const number = Number.isInteger(declared) && declared > this.previous ? declared : this.previous + 1;
    this.previous = number;
    if (!this.collector.hasHeader) {
      const texts = cells();
      if (texts.some((c) => cleanText(c) !== '')) this.collector.setHeader(number, texts);
      return;
    }
    this.collector.add(number, text);
  }
}

const EMPTY_SHEET = 'The sheet is empty: its first row must be the header (First name, Last name, Email, …)';

async function readXlsx(buf: Buffer, opts: ReadOptions): Promise<ReadResult> {
  return readXlsxUsing(buf, opts, 'auto');
}

/**
 * How an .xlsx sheet is read: 'auto' (the service's way) reads it with the fast
 * path of fast-sheet.ts and, when that declines, with exceljs; 'exceljs' only
 * with exceljs (the reference); 'fast' only with the fast path, and throws
 * its `Declined` error (or any fault of its own) instead of falling back. For
 * specs and benchmarks.
 */
export type XlsxEngine = 'auto' | 'fast' | 'exceljs';

export async function readXlsxUsing(buf: Buffer, opts: ReadOptions, engine: XlsxEngine): Promise<ReadResult> {
  const zip = inspectZip(buf, opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
  const parts = await firstSheet(buf, zip);
  if (engine !== 'exceljs') {
    try {
      return await readFast(parts, opts);
    } catch (e) {
      // Declined, or a fault of the fast path itself: exceljs decides.
      if (e instanceof AppError || engine === 'fast') throw e;
    }
  }
  return readWithExcelJs(parts, opts);
}

async function readFast(parts: SheetParts, opts: ReadOptions): Promise<ReadResult> {
  const collector = new RowCollector(opts.maxRows);
  const rows = new SheetRows(collector);
  const plain = { date1904: parts.date1904 };
  const text = (row: FastRow, col: number) => {
    const numFmt = row.numFmts[col];
    return cellText(row.values[col], numFmt === undefined ? plain : { numFmt, date1904: parts.date1904 });
  };
  await readSheetFast(parts, (row) =>
    rows.push(
      row.number,
      () => Array.from({ length: row.values.length }, (_, col) => text(row, col)),
      (col) => text(row, col),
    ),
  );
  return collector.result(EMPTY_SHEET, { sheetName: parts.name });
}

async function readWithExcelJs(parts: SheetParts, opts: ReadOptions): Promise<ReadResult> {
  const { date1904 } = parts;
  const input = Readable.from(excelJsZip(parts));
  const collector = new RowCollector(opts.maxRows);
  const rows = new SheetRows(collector);
  // hyperlinks: 'ignore' on purpose. Hyperlinks follow the cells in the sheet XML,
  // so in streaming mode 'cache' never attaches them anyway; and if a sheet put
  // them first, 'cache' would replace the cell's value (its text) by the link.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'ignore',
  });

  try {
    for await (const worksheet of reader) {
      for await (const row of worksheet) {
        const text = (cell: ExcelJS.Cell | undefined) => (cell ? cellText(cell.value, { numFmt: cell.numFmt, date1904 }) : '');
        rows.push(
          row.number,
          () => {
            const cells: string[] = [];
            row.eachCell((cell, col) => {
              cells[col - 1] = text(cell);
            });
            for (let i = 0; i < cells.length; i++) cells[i] ??= '';
            return cells;
          },
          (col) => text(row.findCell(col + 1)),
        );
      }
      break; // the rebuilt zip holds one sheet; never read a second
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw AppError.badRequest('INVALID_FILE', 'The workbook could not be read: save it again as .xlsx and retry');
  } finally {
    input.destroy();
  }
  return collector.result(EMPTY_SHEET, { sheetName: parts.name });
}
