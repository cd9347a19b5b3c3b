/** FROZEN BASELINE (see reader.ts): src/imports/file/cell-text.ts as it was before issue 12. */
/**
 * Text of a spreadsheet cell, whatever Excel stored in it: the value exceljs
 * hands over (string, number, boolean, Date, rich text, hyperlink, formula with
 * its cached result, error, or an object it could not type) becomes the text a
 * person sees, never "[object Object]".
 */

/** Invisible characters that break emails and names: zero-width spaces and joiners, word joiner, soft hyphen. */
const INVISIBLE = /[\u200b-\u200d\u2060\u00ad]/g;

/**
 * A cell's text made tidy: invisible characters removed, every run of white
 * space (NBSP, narrow NBSP, tabs, line breaks inside a cell) one space, trimmed.
 */
export function cleanText(text: string): string {
  return text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Passwords keep their inner spaces: only invisible characters and the ends go. */
export function cleanPassword(text: string): string {
  return text.replace(INVISIBLE, '').trim();
}

/**
 * Whether an Excel number format shows dates or times (as exceljs decides for
 * plain cells; used here for formula results, which exceljs leaves as numbers).
 */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const f = numFmt
    .replace(/\[[^\]]*]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '');
  return /[ymdhs]/i.test(f);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * `YYYY-MM-DD`, with ` HH:MM` (and `:SS`) when the value has a time of day, or
 * only the time for Excel's time-only values (day 0 = 1899-12-30/31).
 * Excel dates carry no time zone: exceljs hands them over as UTC.
 */
export function formatDate(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return '';
  const d = new Date(Math.round(ms / 1000) * 1000);
  const day = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const h = d.getUTCHours();
  const m = d.getUTCMinutes();
  const s = d.getUTCSeconds();
  const time = h || m || s ? `${pad(h)}:${pad(m)}${s ? `:${pad(s)}` : ''}` : '';
  if (day === '1899-12-30' || day === '1899-12-31') return time || day;
  return time ? `${day} ${time}` : day;
}

/** A serial Excel date (days since 1899-12-30, or 1904-01-01) as a UTC Date. */
export function excelSerialToDate(serial: number, date1904 = false): Date {
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.round(serial * 86_400_000));
}

/** Integers as integers (no "1e+21"), other numbers with Excel's 15 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return String(Number(n.toPrecision(15)));
}

export interface CellTextOptions {
  /** The cell's number format: formula results shown as dates are turned into dates. */
  numFmt?: string;
  date1904?: boolean;
}

function hyperlinkAddress(link: string): string {
  if (!/^mailto:/i.test(link)) return link;
  const address = link.slice('mailto:'.length).split('?')[0];
  try {
    return decodeURIComponent(address);
  } catch {
    return address;
  }
}

/** The raw text of a cell value (not yet cleaned: see {@link cleanText}). */
export function cellText(value: unknown, opts: CellTextOptions = {}, depth = 0): string {
  if (value === null || value === undefined) return '';
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return formatNumber(value);
    case 'boolean':
      return value ? 'TRUE' : 'FALSE';
    case 'bigint':
      return value.toString();
    case 'object':
      break;
    default:
      return '';
  }
  if (value instanceof Date) return formatDate(value);
  if (depth > 4) return '';
  const v = value as Record<string, unknown>;

  if (Array.isArray(v.richText)) {
    return (v.richText as Array<{ text?: unknown }>).map((run) => (typeof run?.text === 'string' ? run.text : '')).join('');
  }
  if ('hyperlink' in v) {
    const text = cellText(v.text, {}, depth + 1);
    if (cleanText(text) !== '') return text;
    return typeof v.hyperlink === 'string' ? hyperlinkAddress(v.hyperlink) : '';
  }
  if ('formula' in v || 'sharedFormula' in v || 'result' in v) {
    const result = v.result;
    if (typeof result === 'number' && isDateFormat(opts.numFmt)) {
      return Number.isFinite(result) ? formatDate(excelSerialToDate(result, opts.date1904)) : '';
    }
    return cellText(result, opts, depth + 1);
  }
  if ('error' in v) return '';
  if ('text' in v) return cellText(v.text, opts, depth + 1);
  return '';
}
