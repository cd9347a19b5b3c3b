/**
 * How the readers (xlsx.ts, ods.ts, csv.ts) hand their rows over, and how a
 * stored cell becomes the text a person sees in it.
 */

/** A sheet as a reader meets it, in tab order. `name` is null for CSV. */
export interface SheetInfo {
  name: string | null;
  hidden: boolean;
}

/**
 * One row with text: its number as the spreadsheet shows it, its cells' raw
 * texts by 0-based column (holes for empty cells), and the columns whose cell
 * holds a formula without a saved value. Both arrays are the reader's: valid
 * during the call only. May throw {@link Stop}.
 */
export type OnRow = (row: number, cells: readonly string[], unsaved: readonly number[]) => void;

/** Called for each sheet in tab order: the row handler to read it with, or null to skip it. */
export type Visit = (sheet: SheetInfo) => OnRow | null;

/** Thrown by an {@link OnRow} to end the reading of the current sheet. */
export class Stop extends Error {}

/** Invisible characters that break emails and names: zero-width spaces and joiners, word joiner, soft hyphen. */
const INVISIBLE = /[\u200b-\u200d\u2060\u00ad]/g;
/** Whether {@link cleanText} would change anything: most cells need nothing. */
const NEEDS_CLEANING = /[^\S ]|^ | $| {2}|[\u200b-\u200d\u2060\u00ad]/;

/** A cell's text made tidy: invisible characters removed, every run of white space (NBSP, tabs, line breaks) one space, trimmed. */
export function cleanText(text: string): string {
  if (!NEEDS_CLEANING.test(text)) return text;
  return text.replace(INVISIBLE, '').replace(/\s+/g, ' ').trim();
}

/** Passwords keep their inner spaces: only invisible characters and the ends go. */
export function cleanPassword(text: string): string {
  return text.replace(INVISIBLE, '').trim();
}

/** Whether an Excel number format shows dates or times (literal text, colours and escapes aside). */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt) return false;
  const f = numFmt
    .replace(/\[[^\]]*]/g, '')
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '');
  return /[ymdhs]/i.test(f);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD[ HH:MM[:SS]]`, or only the time for time-only values (day 0 = 1899-12-30/31); dates carry no zone: UTC. */
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

/** An ISO 8601 date or date-time (xlsx `t="d"`, ODF `office:date-value`) as {@link formatDate} writes it; the offset is ignored. */
export function isoDateText(iso: string): string {
  const m = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d(?:\.\d+)?))?)?/.exec(iso.trim());
  if (!m) return iso;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = m;
  return formatDate(new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), 0, Math.round(Number(s) * 1000))));
}

/** Integers as integers (no "1e+21"), other numbers with Excel's 15 significant digits. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '';
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return String(Number(n.toPrecision(15)));
}
