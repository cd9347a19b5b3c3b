import { formatNumber, isoDateText, OnRow, Stop, Visit } from './cell-text';
import type { ZipArchive } from './file-guard';
import { attr, parsePart, XmlHandler } from './xml';

/**
 * An OpenDocument spreadsheet (.ods, ODF 1.2/1.3 §9): every sheet is a
 * `<table:table>` of `content.xml`, read in one pass. A sheet is hidden when
 * its table style says `table:display="false"` (automatic styles come first).
 * Typed cells give their value (numbers, ISO dates, booleans), text cells
 * their paragraphs; repeated rows and cells are expanded, empty ones skipped.
 */

/** Repeated cells and rows are expanded up to this column and row only: a few bytes cannot make us walk billions. */
const MAX_COLUMNS = 1024;
const MAX_ROWS = 1 << 20;
/** Parts of a cell that are not its text: comments, images and text boxes. */
const NOT_TEXT = new Set(['annotation', 'frame']);
const WITH_ATTRIBUTES = new Set(['s', 'table-cell', 'covered-table-cell', 'table-row', 'table', 'style', 'table-properties']);

const int = (value: string | undefined) => Math.max(1, Number.parseInt(value ?? '1', 10) || 1);

class ContentHandler implements XmlHandler {
  private readonly hiddenStyles = new Set<string>();
  private style: string | null = null;
  private onRow: OnRow | null = null;
  private rowNumber = 0;
  private rowRepeat = 1;
  private cells: string[] = [];
  private unsaved: number[] = [];
  private col = 0;
  private cell: { repeat: number; value: string | null; unsaved: boolean; paragraphs: string[] } | null = null;
  private skipDepth = 0;

  constructor(private readonly visit: Visit) {}

  open(name: string, attrs: () => Record<string, string>): void {
    const { cell } = this;
    const a = WITH_ATTRIBUTES.has(name) ? attrs() : {};
    if (this.skipDepth || (cell && NOT_TEXT.has(name))) {
      this.skipDepth++;
    } else if (cell) {
      if (name === 'p') cell.paragraphs.push('');
      else if (name === 's') this.add(' '.repeat(Math.min(int(attr(a, 'c')), 1000)));
      else if (name === 'tab') this.add('\t');
      else if (name === 'line-break') this.add('\n');
    } else if (name === 'table-cell' || name === 'covered-table-cell') {
      const type = attr(a, 'value-type');
      let value: string | null = attr(a, 'string-value') ?? null;
      if (type === 'float' || type === 'percentage' || type === 'currency') value = formatNumber(Number(attr(a, 'value')));
      else if (type === 'date') value = isoDateText(attr(a, 'date-value') ?? '');
      else if (type === 'boolean') value = attr(a, 'boolean-value') === 'true' ? 'TRUE' : 'FALSE';
      this.cell = { repeat: int(attr(a, 'number-columns-repeated')), value, unsaved: !type && attr(a, 'formula') !== undefined, paragraphs: [] };
    } else if (name === 'table-row') {
      this.rowRepeat = int(attr(a, 'number-rows-repeated'));
      this.cells = [];
      this.unsaved = [];
      this.col = 0;
    } else if (name === 'table') {
      this.onRow = this.visit({ name: attr(a, 'name') ?? '', hidden: this.hiddenStyles.has(attr(a, 'style-name') ?? '') });
      this.rowNumber = 0;
    } else if (name === 'style') {
      this.style = attr(a, 'family') === 'table' ? (attr(a, 'name') ?? null) : null;
    } else if (name === 'table-properties' && this.style && attr(a, 'display') === 'false') {
      this.hiddenStyles.add(this.style);
    }
  }

  private add(text: string): void {
    const { paragraphs } = this.cell!;
    if (paragraphs.length) paragraphs[paragraphs.length - 1] += text;
  }

  text(text: string): void {
    if (this.cell && !this.skipDepth) this.add(text);
  }

  close(name: string): void {
    if (this.skipDepth) this.skipDepth--;
    else if (this.cell && (name === 'table-cell' || name === 'covered-table-cell')) this.endCell(this.cell);
    else if (name === 'table-row') this.endRow();
    else if (name === 'table') this.onRow = null;
  }

  private endCell(cell: NonNullable<ContentHandler['cell']>): void {
    this.cell = null;
    const value = cell.value ?? cell.paragraphs.join('\n');
    const end = Math.min(this.col + cell.repeat, MAX_COLUMNS);
    for (let col = this.col; col < end; col++) {
      if (cell.unsaved) this.unsaved.push(col);
      else if (value) this.cells[col] = value;
    }
    this.col += cell.repeat;
  }

  private endRow(): void {
    const first = this.rowNumber + 1;
    this.rowNumber += this.rowRepeat;
    if (!this.onRow || (!this.cells.length && !this.unsaved.length)) return;
    try {
      for (let row = first; row <= Math.min(this.rowNumber, MAX_ROWS); row++) this.onRow(row, this.cells, this.unsaved);
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      this.onRow = null; // the rest of this sheet is passed over
    }
  }
}

/** Reads the sheets of an .ods in tab order, each one `visit` asks for. */
export async function readOds(zip: ZipArchive, visit: Visit): Promise<void> {
  await parsePart(zip, 'content.xml', new ContentHandler(visit));
}
