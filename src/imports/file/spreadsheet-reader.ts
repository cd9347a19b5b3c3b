import { AppError } from '../../common/errors/app-error';
import { cleanPassword, cleanText, OnRow, SheetInfo, Stop } from './cell-text';
import { COLUMN_LABELS, HeaderMap, matchHeader, quoted, RowField, ROW_FIELDS } from './columns';
import { readCsv } from './csv';
import { DEFAULT_ZIP_LIMITS, FileKind, MESSAGES, ZipArchive, ZipLimits } from './file-guard';
import { readOds } from './ods';
import { readXlsx } from './xlsx';

export interface ImportRow {
  /** The row number a spreadsheet shows (1-based). */
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  password: string;
  group: string;
  department: string;
  /** Fields whose cell holds a formula without a saved value (the row must fail). */
  unsaved?: RowField[];
}

/** A non-empty row above the header, skipped (a title, a note): its number and its texts. */
export interface IgnoredRow {
  row: number;
  text: string;
}

export interface ReadResult {
  rows: ImportRow[];
  /** Row number of the header. */
  headerRow: number;
  /** For a workbook: the name of the sheet that was read. */
  sheetName?: string;
  ignoredRows: IgnoredRow[];
}

export interface ReadOptions {
  /** Non-empty data rows accepted; one more is 400 TOO_MANY_ROWS, and reading stops there. */
  maxRows: number;
  /** Zip limits for .xlsx and .ods (default: {@link DEFAULT_ZIP_LIMITS}). */
  zipLimits?: ZipLimits;
}

/** The header is looked for among the first this many non-empty rows of a sheet. */
export const HEADER_SEARCH_ROWS = 10;
const IGNORED_TEXT_MAX = 200;

interface Looked {
  sheet: string | null;
  /** The row closest to a header, or null when the sheet had no text. */
  best: { row: number; missing: RowField[]; found: number } | null;
  above: IgnoredRow[];
}

/**
 * Takes the rows of the sheets in tab order: in each visible sheet, the first
 * of its first {@link HEADER_SEARCH_ROWS} non-empty rows that names every
 * required column is the header, and that sheet is the one read; rows above it
 * are ignored (and reported), later sheets are not read.
 */
class Collector {
  readonly rows: ImportRow[] = [];
  private header: { sheet: string | null; row: number; columns: Array<[RowField, number]>; ignored: IgnoredRow[] } | null = null;
  private readonly looked: Looked[] = [];
  private readonly hidden: string[] = [];

  constructor(private readonly maxRows: number) {}

  readonly visit = (sheet: SheetInfo): OnRow | null => {
    if (this.header) return null;
    if (sheet.hidden) {
      this.hidden.push(sheet.name ?? '');
      return null;
    }
    const looked: Looked = { sheet: sheet.name, best: null, above: [] };
    this.looked.push(looked);
    return (row, cells, unsaved) => (this.header ? this.add(row, cells, unsaved) : this.search(looked, row, cells));
  };

  private search(looked: Looked, row: number, cells: readonly string[]): void {
    const texts = Array.from(cells, (c) => (c ? cleanText(c) : ''));
    if (!texts.some(Boolean)) return;
    const match = matchHeader(texts);
    if (!match.missing.length) {
      if (match.twice.length) {
        const s = match.twice.length > 1;
        throw AppError.badRequest(
          'INVALID_HEADER',
          `Column${s ? 's' : ''} ${quoted(match.twice)} appear${s ? '' : 's'} more than once in the header (${looked.sheet === null ? '' : `sheet "${looked.sheet}", `}row ${row})`,
          match.twice.map((f) => ({ field: COLUMN_LABELS[f], message: 'column appears more than once', sheet: looked.sheet, row })),
        );
      }
      const map: HeaderMap = match.map;
      this.header = { sheet: looked.sheet, row, columns: ROW_FIELDS.filter((f) => map[f] !== undefined).map((f) => [f, map[f]!]), ignored: looked.above };
      return;
    }
    if (!looked.best || match.found > looked.best.found) looked.best = { row, missing: match.missing, found: match.found };
    looked.above.push({ row, text: texts.filter(Boolean).join(' | ').slice(0, IGNORED_TEXT_MAX) });
    if (looked.above.length >= HEADER_SEARCH_ROWS) throw new Stop();
  }

  private add(number: number, cells: readonly string[], unsaved: readonly number[]): void {
    const row: ImportRow = { row: number, firstName: '', lastName: '', email: '', password: '', group: '', department: '' };
    let empty = true;
    for (const [field, col] of this.header!.columns) {
      const raw = cells[col] ?? '';
      const value = field === 'password' ? cleanPassword(raw) : cleanText(raw);
      if (value !== '') empty = false;
      row[field] = value;
      if (unsaved.includes(col)) (row.unsaved ??= []).push(field);
    }
    if (empty && !row.unsaved) return;
    if (this.rows.length >= this.maxRows) {
      throw AppError.badRequest('TOO_MANY_ROWS', `The file has more than ${this.maxRows} rows of students: the limit is ${this.maxRows} per import`, {
        maxRows: this.maxRows,
      });
    }
    this.rows.push(row);
  }

  result(): ReadResult {
    if (this.header) {
      const { sheet, row, ignored } = this.header;
      return { rows: this.rows, headerRow: row, ...(sheet === null ? {} : { sheetName: sheet }), ignoredRows: ignored };
    }
    const hidden = this.hidden.length ? ` (hidden sheets are not read: ${this.hidden.map((n) => `"${n}"`).join(', ')})` : '';
    if (!this.looked.length) throw AppError.badRequest('INVALID_HEADER', `The workbook has no visible sheet${hidden}`);
    const details = this.looked.flatMap(({ sheet, best }) =>
      best
        ? best.missing.map((f) => ({ field: COLUMN_LABELS[f], message: 'column is missing', sheet, row: best.row }))
        : [{ field: 'header', message: 'the sheet is empty', sheet }],
    );
    const missing = ({ best }: Looked, sheet: string | null) =>
      `missing column${best!.missing.length > 1 ? 's' : ''} ${quoted(best!.missing)} (${sheet === null ? '' : `sheet "${sheet}", `}row ${best!.row} taken as the header)`;
    if (this.looked.length === 1) {
      const [only] = this.looked;
      const message = only.best
        ? `M${missing(only, only.sheet).slice(1)}`
        : `The ${only.sheet === null ? 'file' : `sheet "${only.sheet}"`} is empty: it needs a header row (First name, Last name, Email, …) and one row per student`;
      throw AppError.badRequest('INVALID_HEADER', `${message}${hidden}`, details);
    }
    const sheets = this.looked.map((l) => `sheet "${l.sheet}": ${l.best ? missing(l, null) : 'empty'}`);
    throw AppError.badRequest(
      'INVALID_HEADER',
      `No sheet has the header row (First name, Last name, Email) in its first ${HEADER_SEARCH_ROWS} rows: ${sheets.join('; ')}${hidden}`,
      details,
    );
  }
}

/**
 * The data rows of an uploaded student list (.xlsx, .ods or UTF-8 CSV). The
 * header may be in English or French, in any column order (see columns.ts).
 * Cell texts are cleaned (trimmed, NBSP and zero-width characters handled);
 * empty rows are skipped. Throws 400 INVALID_FILE, INVALID_HEADER or TOO_MANY_ROWS.
 */
export async function readImportRows(buf: Buffer, kind: FileKind, opts: ReadOptions): Promise<ReadResult> {
  const collector = new Collector(opts.maxRows);
  if (kind === 'csv') {
    readCsv(buf, collector.visit);
    return collector.result();
  }
  if (kind !== 'xlsx' && kind !== 'ods') throw AppError.badRequest('INVALID_FILE', MESSAGES.notText);
  const zip = await ZipArchive.open(buf, opts.zipLimits ?? DEFAULT_ZIP_LIMITS);
  try {
    await (kind === 'xlsx' ? readXlsx : readOds)(zip, collector.visit);
  } finally {
    zip.close();
  }
  return collector.result();
}
