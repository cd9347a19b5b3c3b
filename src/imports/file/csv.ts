import { CsvError, parse } from 'csv-parse/sync';
import { AppError } from '../../common/errors/app-error';
import { Stop, Visit } from './cell-text';
import { MESSAGES } from './file-guard';

/**
 * CSV read with csv-parse (RFC 4180: quoted fields may hold delimiters, line
 * breaks and doubled quotes; a stray quote inside an unquoted field is kept).
 * A record is a row as a spreadsheet numbers it: a blank line counts.
 */

export type CsvDelimiter = ',' | ';' | '\t';
const DELIMITERS: CsvDelimiter[] = [',', ';', '\t'];

const options = (delimiter: string) => ({ delimiter, bom: true, relax_quotes: true, relax_column_count: true, skip_empty_lines: false });

/**
 * The delimiter that splits the first lines into the most columns (`,` when
 * none splits them), so title lines above the header do not decide alone.
 */
export function detectDelimiter(text: string): CsvDelimiter {
  let best: CsvDelimiter = ',';
  let widest = 1;
  for (const delimiter of DELIMITERS) {
    let records: string[][];
    try {
      records = parse(text, { ...options(delimiter), to: 10 });
    } catch {
      continue; // a quote that this delimiter leaves open: not this one
    }
    const width = Math.max(0, ...records.map((r) => r.length));
    if (width > widest) [best, widest] = [delimiter, width];
  }
  return best;
}

/** Reads a UTF-8 CSV file (BOM or not) as one sheet without a name. */
export function readCsv(buf: Buffer, visit: Visit): void {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw AppError.badRequest('INVALID_FILE', MESSAGES.notUtf8);
  }
  if (text.includes('\u0000')) throw AppError.badRequest('INVALID_FILE', MESSAGES.notText);

  // Excel's own hint line, `sep=;`, which it hides and does not count as a row.
  const hint = /^sep=([,;\t])[ \t]*(\r\n|\n|\r|$)/i.exec(text);
  if (hint) text = text.slice(hint[0].length);
  let records: string[][];
  try {
    records = parse(text, options(hint ? hint[1] : detectDelimiter(text)));
  } catch (e) {
    const row = e instanceof CsvError ? (e as CsvError & { records?: number }).records : undefined;
    const where = row === undefined ? '' : ` (row ${row + 1})`;
    const what = e instanceof CsvError && e.code === 'CSV_QUOTE_NOT_CLOSED' ? 'has a quote that is never closed' : 'cannot be read';
    throw AppError.badRequest('INVALID_FILE', `The CSV file ${what}${where}`);
  }
  const onRow = visit({ name: null, hidden: false });
  try {
    records.forEach((fields, i) => onRow?.(i + 1, fields, []));
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
}
