/** FROZEN BASELINE (see reader.ts): src/imports/file/fast-sheet.ts as it was before issue 12. */
/**
 * The fast path of the .xlsx reader: the first worksheet's cells read straight
 * from its XML (and the shared strings'), without exceljs's streaming reader.
 *
 * exceljs's reader stays the reference (see spreadsheet-reader.ts), and this
 * module reproduces what it does, quirks included, rather than what the format
 * means: the reader hands exceljs each part as one chunk, which its SAX parser
 * (saxes) reads whole, so every rule below can be stated for a whole document.
 *
 * - The XML is checked as strictly as saxes checks it, or more: one root, tags
 *   that match, quoted and unique attributes, only the five XML entities and
 *   character references to allowed characters, no disallowed characters, no
 *   `]]>`, well-formed comments. Where saxes would fail, exceljs fails with it,
 *   and the reader's answer is INVALID_FILE.
 * - The cells then go through the same state machines as exceljs's worksheet
 *   and shared-string readers, and become the same values (strings, numbers,
 *   booleans, Dates, `{ richText }`, `{ formula, result }`, `{ error }`), which
 *   the caller turns into text with `cellText` exactly as for exceljs's cells.
 *   Number formats come from exceljs's own styles parser, dates of plain cells
 *   from exceljs's own `isDateFmt` / `excelToDate`.
 *
 * Anything else, and anything on which exceljs would crash (a cell without a
 * reference, a row without a number that holds cells, a style table it cannot
 * use…), is not guessed at: the whole read is declined ({@link Declined}) and
 * the caller reads the file with exceljs instead. Declining is decided only
 * once the whole sheet has been scanned, even after the caller stopped taking
 * rows (too many rows, a bad header), because exceljs too parses the whole
 * sheet before handing over its first row.
 */

/** exceljs internals used as the reference's own definitions (no typings ship for them). */
interface ExcelJsUtils {
  isDateFmt(fmt: string | undefined): boolean;
  excelToDate(v: number, date1904?: boolean): Date;
  xmlDecode(text: string): string;
}
interface StyleManager {
  init(): void;
  parseStream(stream: Iterable<Buffer>): Promise<unknown>;
  getStyleModel(id: number): { numFmt?: string } | null;
}
interface ExcelJsInternals {
  utils: ExcelJsUtils;
  StylesXform: new () => StyleManager;
}

let internals: ExcelJsInternals | null | undefined;

/** Loaded on first use: should a later exceljs move them, the fast path declines instead of the module failing to load. */
function excelJs(): ExcelJsInternals {
  if (internals === undefined) {
    try {
      internals = {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        utils: require('exceljs/lib/utils/utils') as ExcelJsUtils,
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        StylesXform: require('exceljs/lib/xlsx/xform/style/styles-xform') as new () => StyleManager,
      };
      const { utils, StylesXform } = internals;
      const usable = [utils.isDateFmt, utils.excelToDate, utils.xmlDecode].every((f) => typeof f === 'function');
      if (!usable || typeof StylesXform.prototype.getStyleModel !== 'function') internals = null;
    } catch {
      internals = null;
    }
  }
  if (!internals) throw decline("exceljs's internal modules were not found");
  return internals;
}

/** The parts of the first worksheet, as the reader hands them to exceljs. */
export interface SheetParts {
  /** The sheet's name in the workbook. */
  name: string;
  date1904: boolean;
  /** The worksheet part (inline rich text already flattened, see `flattenInlineRichText`). */
  sheet: Buffer;
  styles: Buffer | null;
  sharedStrings: Buffer | null;
}

/**
 * One `<row>` of the sheet. `number` is its `r` attribute as exceljs parses it
 * (NaN without one); `values` and `numFmts` are by 0-based column, holes for
 * columns without a cell. Both arrays belong to the row: nothing reuses them.
 */
export interface FastRow {
  number: number;
  values: unknown[];
  numFmts: Array<string | undefined>;
}

/** Something the fast path does not handle: read the file with exceljs instead. */
export class Declined extends Error {
  constructor(readonly reason: string) {
    super(`xlsx fast path declined: ${reason}`);
    this.name = 'Declined';
  }
}

const decline = (reason: string) => new Declined(reason);

/**
 * Reads the sheet and calls `onRow` for each row, in sheet order. If `onRow`
 * throws (too many rows, a bad header), no row is passed any more, the rest
 * of the sheet is still checked, and the error is thrown at the end. Throws
 * {@link Declined} when exceljs must read the file.
 */
export async function readSheetFast(parts: SheetParts, onRow: (row: FastRow) => void): Promise<void> {
  if (INVALID_CHAR.test(parts.name)) throw decline('a sheet name exceljs cannot read back');
  const { utils, StylesXform } = excelJs();
  const styles = await loadStyles(StylesXform, parts.styles);
  const sharedStrings = parts.sharedStrings ? readSharedStrings(xmlText(parts.sharedStrings, 'sharedStrings')) : [];
  const sheet = new SheetHandler(utils, styles, sharedStrings, parts.date1904, onRow);
  scanXml(xmlText(parts.sheet, 'sheet'), sheet);
  if (sheet.failure) throw sheet.failure.error;
}

// ------------------------------------------------------------------- styles

/** exceljs's own style table: the same number formats, built-in and custom, and the same failures. */
async function loadStyles(StylesXform: new () => StyleManager, xml: Buffer | null): Promise<StyleManager> {
  const styles = new StylesXform();
  if (!xml) {
    styles.init(); // what exceljs's reader starts with when there is no styles part
    return styles;
  }
  try {
    await styles.parseStream([xml]);
  } catch {
    throw decline('styles exceljs cannot parse');
  }
  return styles;
}

// ---------------------------------------------------------------- XML text

/** The characters XML 1.0 does not allow (TextDecoder never yields lone surrogates). */
// eslint-disable-next-line no-control-regex
const INVALID_CHAR = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
/** As exceljs decodes each chunk: not fatal, a BOM dropped. */
const UTF8 = new TextDecoder('utf-8');
const ENTITY = /&(?:amp|lt|gt|quot|apos|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));|&/g;
const DECODE = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

const isXmlChar = (cp: number) =>
  cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

/**
 * A part's text as exceljs's SAX parser gets it (UTF-8, a BOM dropped, invalid
 * bytes replaced), line ends normalised as XML says, once checked for what
 * saxes rejects anywhere in a document.
 */
function xmlText(buf: Buffer, part: string): string {
  let xml = UTF8.decode(buf);
  if (INVALID_CHAR.test(xml)) throw decline(`a character XML does not allow in ${part}`);
  if (xml.includes(']]>')) throw decline(`CDATA or "]]>" in ${part}`);
  if (xml.includes('&')) {
    for (const m of xml.matchAll(ENTITY)) {
      if (m[0] === '&') throw decline(`an entity saxes does not know in ${part}`);
      if (m[1] !== undefined || m[2] !== undefined) {
        const cp = m[1] !== undefined ? parseInt(m[1], 10) : parseInt(m[2], 16);
        if (!isXmlChar(cp)) throw decline(`a character reference to a disallowed character in ${part}`);
      }
    }
  }
  if (xml.includes('\r')) xml = xml.replace(/\r\n?/g, '\n');
  return xml;
}

/** Character data with its references resolved (the document was checked by {@link xmlText}). */
function decodeText(raw: string): string {
  if (raw.indexOf('&') < 0) return raw;
  return raw.replace(DECODE, (_m, e: string) =>
    e.charCodeAt(0) === 35 /* # */ ? String.fromCodePoint(e.charCodeAt(1) === 120 /* x */ ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : NAMED[e],
  );
}

/** An attribute value as saxes reports it: literal white space becomes a space, then references resolve. */
function decodeAttribute(raw: string): string {
  const spaced = /[\t\n]/.test(raw) ? raw.replace(/[\t\n]/g, ' ') : raw;
  return decodeText(spaced);
}

// ------------------------------------------------------------------ scanner

/** The attributes of the tag being reported: raw values, decoded on demand. */
class Attributes {
  xml = '';
  count = 0;
  private readonly names: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  reset(xml: string): void {
    this.xml = xml;
    this.count = 0;
  }

  add(name: string, start: number, end: number): void {
    for (let i = 0; i < this.count; i++) {
      if (this.names[i] === name) throw decline(`duplicate attribute ${name}`);
    }
    this.names[this.count] = name;
    this.starts[this.count] = start;
    this.ends[this.count] = end;
    this.count++;
  }

  get(name: string): string | undefined {
    for (let i = 0; i < this.count; i++) {
      if (this.names[i] !== name) continue;
      const { xml } = this;
      const start = this.starts[i];
      const end = this.ends[i];
      for (let k = start; k < end; k++) {
        const c = xml.charCodeAt(k);
        if (c === 38 /* & */ || c === 9 || c === 10) return decodeAttribute(xml.slice(start, end));
      }
      return xml.slice(start, end);
    }
    return undefined;
  }
}

interface XmlHandler {
  open(name: string, attrs: Attributes): void;
  /** Character data between two tags inside the root, raw (see {@link decodeText}). */
  text(xml: string, start: number, end: number): void;
  close(name: string): void;
}

// [ \t\n] (line ends are normalised); names in ASCII only (others: declined).
const isSpace = (c: number) => c === 32 || c === 10 || c === 9;
const isNameStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
const isNameChar = (c: number) => isNameStart(c) || (c >= 48 && c <= 57) || c === 45 || c === 46;

const XML_DECL =
  /^<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[A-Za-z][A-Za-z0-9._-]*\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/;

function isBlank(xml: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isSpace(xml.charCodeAt(i))) return false;
  return true;
}

/**
 * A strict, non-validating XML tokenizer reporting open tags, character data
 * and close tags (a self-closing tag is both) in document order, like saxes
 * without namespaces (names keep their prefix). Declines whatever saxes would
 * reject, and also processing instructions, CDATA, doctypes, non-ASCII names
 * and XML 1.1, which exceljs's files never need.
 */
function scanXml(xml: string, handler: XmlHandler): void {
  const attrs = new Attributes();
  const stack: string[] = [];
  const len = xml.length;
  let rootDone = false;
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const decl = XML_DECL.exec(xml);
    if (!decl) throw decline('an XML declaration');
    i = decl[0].length;
  }
  while (i < len) {
    const lt = xml.indexOf('<', i);
    const end = lt < 0 ? len : lt;
    if (end > i) {
      if (stack.length > 0) handler.text(xml, i, end);
      else if (!isBlank(xml, i, end)) throw decline('text outside the root element');
    }
    if (lt < 0) break;
    const c1 = xml.charCodeAt(lt + 1);

    if (c1 === 47 /* / */) {
      const top = stack[stack.length - 1];
      if (top !== undefined && xml.charCodeAt(lt + 2 + top.length) === 62 && xml.startsWith(top, lt + 2)) {
        stack.pop();
        handler.close(top);
        if (stack.length === 0) rootDone = true;
        i = lt + 3 + top.length;
        continue;
      }
      const gt = xml.indexOf('>', lt + 2);
      if (gt < 0) throw decline('an unterminated close tag');
      let nameEnd = gt;
      while (nameEnd > lt + 2 && isSpace(xml.charCodeAt(nameEnd - 1))) nameEnd--;
      const name = xml.slice(lt + 2, nameEnd);
      if (stack.pop() !== name) throw decline(`a mismatched close tag </${name}>`);
      handler.close(name);
      if (stack.length === 0) rootDone = true;
      i = gt + 1;
      continue;
    }

    if (c1 === 33 /* ! */) {
      if (!xml.startsWith('<!--', lt)) throw decline('CDATA or a doctype');
      const close = xml.indexOf('-->', lt + 4);
      if (close < 0) throw decline('an unterminated comment');
      const body = xml.slice(lt + 4, close);
      if (body.includes('--') || body.endsWith('-')) throw decline('a malformed comment');
      i = close + 3;
      continue;
    }

    if (c1 === 63 /* ? */) throw decline('a processing instruction');

    // An open tag.
    if (rootDone && stack.length === 0) throw decline('a second root element');
    let p = lt + 1;
    if (!isNameStart(xml.charCodeAt(p))) throw decline('a malformed tag');
    p++;
    while (isNameChar(xml.charCodeAt(p))) p++;
    const name = xml.slice(lt + 1, p);
    attrs.reset(xml);
    let selfClosing = false;
    for (;;) {
      let c = xml.charCodeAt(p);
      if (c === 62 /* > */) {
        p++;
        break;
      }
      if (c === 47 /* / */) {
        if (xml.charCodeAt(p + 1) !== 62) throw decline('a malformed tag');
        selfClosing = true;
        p += 2;
        break;
      }
      if (!isSpace(c)) throw decline(`a malformed tag <${name}>`);
      do p++;
      while (isSpace(xml.charCodeAt(p)));
      c = xml.charCodeAt(p);
      if (c === 62 || c === 47) continue;
      if (!isNameStart(c)) throw decline(`a malformed attribute in <${name}>`);
      const nameStart = p;
      p++;
      while (isNameChar(xml.charCodeAt(p))) p++;
      const attrName = xml.slice(nameStart, p);
      while (isSpace(xml.charCodeAt(p))) p++;
      if (xml.charCodeAt(p) !== 61 /* = */) throw decline(`an attribute without a value in <${name}>`);
      p++;
      while (isSpace(xml.charCodeAt(p))) p++;
      const quote = xml.charCodeAt(p);
      if (quote !== 34 && quote !== 39) throw decline(`an unquoted attribute in <${name}>`);
      const valueEnd = xml.indexOf(quote === 34 ? '"' : "'", p + 1);
      if (valueEnd < 0) throw decline('an unterminated attribute');
      for (let k = p + 1; k < valueEnd; k++) {
        if (xml.charCodeAt(k) === 60 /* < */) throw decline(`"<" in an attribute of <${name}>`);
      }
      attrs.add(attrName, p + 1, valueEnd);
      p = valueEnd + 1;
    }
    stack.push(name);
    handler.open(name, attrs);
    if (selfClosing) {
      stack.pop();
      handler.close(name);
      if (stack.length === 0) rootDone = true;
    }
    i = p;
  }
  if (stack.length > 0 || !rootDone) throw decline('an incomplete document');
}

// ----------------------------------------------------------- shared strings

/** A shared string as exceljs holds it: text (null when empty) or rich text. */
type SharedString = string | null | { richText: Array<{ text: string | null }> };

/**
 * exceljs's shared-string reader, event for event: every piece of character
 * data adds to the current text, `<t>` and `<si>` start it again, `</r>` ends a
 * rich-text run, `</si>` ends a string. (So a phonetic reading, `<rPh><t>…`,
 * replaces a plain string's text, and text after a run's `</t>` joins the run:
 * exceljs's behaviour, kept.)
 */
function readSharedStrings(xml: string): SharedString[] {
  const list: SharedString[] = [];
  let text: string | null = null;
  let runs: Array<{ text: string | null }> = [];
  scanXml(xml, {
    open(name) {
      if (name === 't') {
        text = null;
      } else if (name === 'si') {
        runs = [];
        text = null;
      }
    },
    text(src, start, end) {
      const value = decodeText(src.slice(start, end));
      text = text ? text + value : value;
    },
    close(name) {
      if (name === 'r') {
        runs.push({ text });
        text = null;
      } else if (name === 'si') {
        list.push(runs.length ? { richText: runs } : text);
        runs = [];
        text = null;
      }
    },
  });
  return list;
}

// -------------------------------------------------------------------- sheet

interface TextBox {
  text: string;
}

interface OpenRow extends FastRow {
  /** The row's own style's number format (`<row s="…">`), which its new cells start with. */
  numFmt: string | undefined;
}

interface OpenCell {
  ref: string | undefined;
  s: number;
  t: string | undefined;
  f: TextBox | null;
  v: TextBox | null;
}

/** `parseInt(text, 10)`, quicker for the plain digits of a shared-string index. */
function toInt(text: string): number {
  const len = text.length;
  if (len === 0 || len > 9) return parseInt(text, 10);
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return parseInt(text, 10);
    n = n * 10 + d;
  }
  return n;
}

/** The cell types exceljs reads; another `t` is declined rather than read as a number as exceljs would. */
function isKnownType(t: string | undefined): boolean {
  switch (t) {
    case undefined:
    case 's':
    case 'n':
    case 'str':
    case 'inlineStr':
    case 'b':
    case 'e':
    case 'd':
      return true;
    default:
      return false;
  }
}

const toIntOrNaN = (value: string | undefined) => (value === undefined ? NaN : parseInt(value, 10));

const MAX_COLUMN = 16384;

/** The 1-based column of a reference like "B3" (exceljs ignores the row part). */
function refColumn(ref: string | undefined): number {
  if (ref === undefined) throw decline('a cell without a reference');
  let col = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    col = col * 26 + c - 64;
  }
  if (i === 0 || i > 3 || i === ref.length || col > MAX_COLUMN) throw decline(`a cell reference "${ref}"`);
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 48 || c > 57) throw decline(`a cell reference "${ref}"`);
  }
  return col;
}

/**
 * exceljs's worksheet reader (`WorksheetReader.parse`, values as its `Cell`
 * gives them back), event for event.
 */
class SheetHandler implements XmlHandler {
  /** The first error `onRow` threw: rows are no longer passed, and it is thrown once the sheet is checked. */
  failure: { error: unknown } | null = null;
  private inRows = false;
  private row: OpenRow | null = null;
  private cell: OpenCell | null = null;
  private current: TextBox | null = null;
  private readonly dateFormats = new Map<string, boolean>();

  constructor(
    private readonly excelUtils: ExcelJsUtils,
    private readonly styles: StyleManager,
    private readonly sharedStrings: SharedString[],
    private readonly date1904: boolean,
    private readonly onRow: (row: FastRow) => void,
  ) {}

  open(name: string, attrs: Attributes): void {
    switch (name) {
      case 'sheetData':
        this.inRows = true;
        break;
      case 'row':
        if (this.inRows) {
          if (this.row) throw decline('a row inside a row');
          const s = attrs.get('s');
          this.row = {
            number: toIntOrNaN(attrs.get('r')),
            values: [],
            numFmts: [],
            numFmt: s ? this.styleModel(parseInt(s, 10))?.numFmt : undefined,
          };
        }
        break;
      case 'c':
        if (this.row) {
          if (this.cell) throw decline('a cell inside a cell');
          this.cell = { ref: attrs.get('r'), s: toIntOrNaN(attrs.get('s')), t: attrs.get('t'), f: null, v: null };
        }
        break;
      case 'f':
        if (this.cell) this.current = this.cell.f = { text: '' };
        break;
      case 'v':
      case 'is':
      case 't':
        if (this.cell) this.current = this.cell.v = { text: '' };
        break;
      default:
        break;
    }
  }

  text(xml: string, start: number, end: number): void {
    // exceljs never forgets its current text: data after </v> still joins the value.
    if (this.current) this.current.text += decodeText(xml.slice(start, end));
  }

  close(name: string): void {
    switch (name) {
      case 'sheetData':
        this.inRows = false;
        break;
      case 'row': {
        const row = this.row;
        if (!row) throw decline('a row outside the sheet data'); // exceljs hands over a null row
        this.row = null;
        if (this.failure) break;
        try {
          this.onRow({ number: row.number, values: row.values, numFmts: row.numFmts });
        } catch (error) {
          this.failure = { error };
        }
        break;
      }
      case 'c':
        if (this.row && this.cell) this.endCell(this.row, this.cell);
        break;
      default:
        break;
    }
  }

  private styleModel(id: number): { numFmt?: string } | null {
    try {
      return this.styles.getStyleModel(id);
    } catch {
      throw decline('a style exceljs cannot look up');
    }
  }

  private isDate(numFmt: string | undefined): boolean {
    if (!numFmt) return false;
    let date = this.dateFormats.get(numFmt);
    if (date === undefined) {
      date = this.excelUtils.isDateFmt(numFmt);
      this.dateFormats.set(numFmt, date);
    }
    return date;
  }

  private endCell(row: OpenRow, cell: OpenCell): void {
    this.cell = null;
    this.current = null; // text that follows can only reach a finished cell
    const index = refColumn(cell.ref) - 1;
    // exceljs names the new cell after the row's number: a row without one cannot hold cells.
    if (!(Number.isInteger(row.number) && row.number >= 0 && row.number < 1e21)) {
      throw decline(`a cell in a row numbered "${row.number}"`);
    }
    if (index in row.values) throw decline('two cells in one column');
    if (!isKnownType(cell.t)) throw decline(`a cell of type "${cell.t}"`);

    let numFmt = row.numFmt || undefined;
    if (cell.s) {
      const style = this.styleModel(cell.s);
      if (style) numFmt = style.numFmt;
    }
    row.numFmts[index] = numFmt;
    row.values[index] = this.value(cell, numFmt);
  }

  private value(cell: OpenCell, numFmt: string | undefined): unknown {
    const { f, v, t } = cell;
    if (f) {
      const formula: { formula: string; result?: unknown } = { formula: f.text };
      if (v) formula.result = t === 'str' ? this.excelUtils.xmlDecode(v.text) : parseFloat(v.text);
      // exceljs's formula value keeps only truthy fields (a result of 0 is lost);
      // with an empty formula (a shared formula's child) the object is kept as it is.
      if (!formula.formula) return formula;
      const kept: { formula: string; result?: unknown } = { formula: formula.formula };
      if (formula.result) kept.result = formula.result;
      return kept;
    }
    if (!v) return null;
    switch (t) {
      case 's':
        return this.sharedStrings[toInt(v.text)];
      case 'inlineStr':
      case 'str':
        return this.excelUtils.xmlDecode(v.text); // a second decoding, as exceljs does
      case 'e':
        return { error: v.text };
      case 'b':
        return parseInt(v.text, 10) !== 0;
      default:
        return this.isDate(numFmt) ? this.excelUtils.excelToDate(parseFloat(v.text), this.date1904) : parseFloat(v.text);
    }
  }
}
