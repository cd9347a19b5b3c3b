import { AppError } from '../../common/errors/app-error';
import { excelSerialToDate, formatDate, formatNumber, isDateFormat, isoDateText, OnRow, Visit } from './cell-text';
import type { ZipArchive } from './file-guard';
import { MESSAGES } from './file-guard';
import { attr, ooxmlWorkbookPath, parsePart, relationships, XmlHandler } from './xml';

/**
 * An .xlsx workbook (SpreadsheetML, ECMA-376 part 1 §18) read sheet by sheet
 * in tab order: the workbook part and its relationships, the cell styles'
 * number formats (to tell dates), the shared strings, then each sheet's cells.
 */

/** Built-in number formats that show dates or times (§18.8.30, with the East Asian ones). */
const DATE_FORMAT_IDS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58]);
const MAX_COLUMNS = 16_384;

/** ST_Xstring escapes: `_x000D_` is a carriage return, `_x005F_` an underscore. */
const unescapeX = (s: string) => (s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))) : s);

/** The text of `<t>` elements outside phonetic guides (`<rPh>`): a shared or an inline string, rich or not. */
class RichText {
  text = '';
  private inT = false;
  private phonetic = 0;

  reset(): void {
    [this.text, this.inT, this.phonetic] = ['', false, 0];
  }
  open(name: string): void {
    if (name === 't') this.inT = this.phonetic === 0;
    else if (name === 'rPh') this.phonetic++;
  }
  add(text: string): void {
    if (this.inT) this.text += text;
  }
  close(name: string): void {
    if (name === 't') this.inT = false;
    else if (name === 'rPh') this.phonetic--;
  }
}

async function sharedStrings(zip: ZipArchive, path: string | undefined): Promise<string[]> {
  const list: string[] = [];
  if (!path || !zip.has(path)) return list;
  const item = new RichText();
  await parsePart(zip, path, {
    open: (name) => (name === 'si' ? item.reset() : item.open(name)),
    text: (text) => item.add(text),
    close: (name) => (name === 'si' ? list.push(unescapeX(item.text)) : item.close(name)),
  });
  return list;
}

/** For each cell style (`cellXfs` index), whether its number format shows a date. */
async function dateStyles(zip: ZipArchive, path: string | undefined): Promise<boolean[]> {
  const formats = new Map<number, string>();
  const xfs: number[] = [];
  let inCellXfs = false;
  if (path && zip.has(path)) {
    await parsePart(zip, path, {
      open(name, attrs) {
        if (name === 'numFmt') formats.set(Number(attrs().numFmtId), attrs().formatCode ?? '');
        else if (name === 'xf' && inCellXfs) xfs.push(Number(attrs().numFmtId ?? 0));
        else if (name === 'cellXfs') inCellXfs = true;
      },
      close: (name) => name === 'cellXfs' && (inCellXfs = false),
    });
  }
  return xfs.map((id) => (formats.has(id) ? isDateFormat(formats.get(id)) : DATE_FORMAT_IDS.has(id)));
}

/** "AB12" → 27 (1-based); 0 when the reference has no column letters. */
function refColumn(ref: string): number {
  let col = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20; // lower case
    if (c < 97 || c > 122) break;
    col = col * 26 + c - 96;
  }
  return col;
}

/**
 * One worksheet's `<sheetData>`. Rows and cells without an `r` follow the
 * previous one, as the format says; formula cells give their saved result
 * (of whatever type `t` says), and without one are reported as unsaved.
 * The current cell lives in fields, and one cells array serves every row:
 * 50,000 rows allocate nothing that is not kept.
 */
class SheetHandler implements XmlHandler {
  private inData = false;
  private inRow = false;
  private rowNumber = 0;
  private readonly cells: string[] = [];
  private readonly unsaved: number[] = [];
  private col = 0;
  private inCell = false;
  private t: string | undefined;
  private dateStyle = false;
  private formula = false;
  private v: string | null = null;
  private inV = false;
  private readonly inline = new RichText();
  private hasInline = false;

  constructor(
    private readonly strings: string[],
    private readonly dates: boolean[],
    private readonly date1904: boolean,
    private readonly onRow: OnRow,
  ) {}

  open(name: string, attrs: () => Record<string, string>): void {
    if (this.inCell) {
      if (name === 'v') {
        this.v = '';
        this.inV = true;
      } else if (name === 'f') this.formula = true;
      else if (name === 'is') {
        this.inline.reset();
        this.hasInline = true;
      } else if (this.hasInline) this.inline.open(name);
    } else if (name === 'c' && this.inRow) {
      const a = attrs();
      const col = a.r ? refColumn(a.r) : 0;
      this.col = col > 0 ? col : this.col + 1;
      this.inCell = true;
      this.t = a.t;
      this.dateStyle = this.dates[a.s ? Number(a.s) : 0] === true;
      this.formula = this.hasInline = false;
      this.v = null;
    } else if (name === 'row' && this.inData) {
      const declared = Number(attrs().r);
      this.rowNumber = Number.isInteger(declared) && declared > this.rowNumber ? declared : this.rowNumber + 1;
      this.inRow = true;
      this.cells.length = this.unsaved.length = this.col = 0;
    } else if (name === 'sheetData') this.inData = true;
  }

  text(text: string): void {
    if (this.inV) this.v += text;
    else if (this.hasInline) this.inline.add(text);
  }

  close(name: string): void {
    if (name === 'v') this.inV = false;
    else if (name === 'c' && this.inCell) this.endCell();
    else if (name === 'row' && this.inRow) {
      this.inRow = false;
      if (this.cells.length || this.unsaved.length) this.onRow(this.rowNumber, this.cells, this.unsaved);
    } else if (name === 'sheetData') this.inData = false;
    else if (this.hasInline) this.inline.close(name);
  }

  private endCell(): void {
    this.inCell = false;
    const { t, v, col } = this;
    if (col > MAX_COLUMNS) return;
    if (this.formula && !this.hasInline && (v === null || (v === '' && t !== 'str'))) {
      this.unsaved.push(col - 1);
      return;
    }
    let text: string;
    if (t === 's') text = v ? (this.strings[Number(v)] ?? '') : '';
    else if (t === 'str' || t === 'inlineStr') text = unescapeX(this.hasInline ? this.inline.text : (v ?? ''));
    else if (t === 'b') text = v ? (v === '1' || v === 'true' ? 'TRUE' : 'FALSE') : '';
    else if (t === 'e' || !v) text = '';
    else if (t === 'd') text = isoDateText(v);
    else {
      const n = Number(v);
      text = Number.isNaN(n) ? v : this.dateStyle ? formatDate(excelSerialToDate(n, this.date1904)) : formatNumber(n);
    }
    if (text) this.cells[col - 1] = text;
  }
}

/** Reads the workbook's sheets in tab order, each one `visit` asks for. */
export async function readXlsx(zip: ZipArchive, visit: Visit): Promise<void> {
  const path = await ooxmlWorkbookPath(zip);
  if (!path || !zip.has(path)) throw AppError.badRequest('INVALID_FILE', MESSAGES.notSpreadsheetZip);
  const rels = await relationships(zip, path);
  const partOf = (type: string) => [...rels.values()].find((r) => r.type.endsWith(`/${type}`))?.path;

  const sheets: Array<{ name: string; hidden: boolean; path: string | undefined }> = [];
  let date1904 = false;
  await parsePart(zip, path, {
    open(name, attrs) {
      if (name === 'workbookPr') date1904 = ['1', 'true'].includes(attrs().date1904);
      if (name !== 'sheet') return;
      const a = attrs();
      const rel = rels.get(attr(a, 'id') ?? '');
      // Chart sheets, dialog and macro sheets hold no cells.
      if (rel && !rel.type.endsWith('/worksheet')) return;
      sheets.push({ name: a.name ?? '', hidden: a.state === 'hidden' || a.state === 'veryHidden', path: rel?.path });
    },
  });
  if (!sheets.length) throw AppError.badRequest('INVALID_HEADER', 'The workbook has no worksheet');

  const styles = partOf('styles');
  const strings = partOf('sharedStrings');
  let context: { strings: string[]; dates: boolean[] } | null = null;
  for (const sheet of sheets) {
    const onRow = visit(sheet);
    if (!onRow) continue;
    if (!sheet.path || !zip.has(sheet.path)) throw AppError.badRequest('INVALID_FILE', MESSAGES.damaged);
    // Inflated side by side (zlib works off the main thread) while the first ones are parsed.
    for (const part of [sheet.path, ...(context ? [] : [strings, styles])]) if (part && zip.has(part)) zip.prefetch(part);
    context ??= { dates: await dateStyles(zip, styles), strings: await sharedStrings(zip, strings) };
    await parsePart(zip, sheet.path, new SheetHandler(context.strings, context.dates, date1904, onRow));
  }
}
