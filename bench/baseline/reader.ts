/**
 * FROZEN BASELINE for bench/import-read.ts: the .xlsx reader the import used before issue 12
 * (its fast path, commit e903515), kept only to measure the new reader against it in the
 * same run. Not used by the application; do not edit.
 */
import { posix } from 'node:path';
import { AppError } from '../../src/common/errors/app-error';
import { cellText, cleanPassword, cleanText } from './cell-text';
import { HeaderMap, matchHeader, RowField, ROW_FIELDS } from './columns';
import { FastRow, readSheetFast, SheetParts } from './fast-sheet';
import { DEFAULT_ZIP_LIMITS, inflateEntry, inspectZip, MESSAGES, ZipInfo, ZipLimits } from './file-guard';

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

// --------------------------------------------------------------------------- XLSX

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

/** The old service path for .xlsx, fast path only (it threw Declined where exceljs had to read). */
export async function readXlsxBaseline(buf: Buffer, opts: ReadOptions): Promise<ReadResult> {
  const zip = inspectZip(buf, opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
  return readFast(await firstSheet(buf, zip), opts);
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
