import { appError, fixture, importRow } from '../../../test/fixtures/helpers';
import { buildZip } from '../../../test/support/zip-writer';
import { readImportRows } from './spreadsheet-reader';

/** OpenDocument spreadsheets written by hand (ODF 1.3 part 3, §9.1 tables, §19 attributes). */

const NS =
  'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" ' +
  'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xlink="http://www.w3.org/1999/xlink"';
const cell = (body: string, attrs = 'office:value-type="string"') => `<table:table-cell ${attrs}>${body}</table:table-cell>`;
const p = (text: string) => `<text:p>${text}</text:p>`;
const HEAD = `<table:table-row>${['First name', 'Last name', 'Email', 'Group'].map((h) => cell(p(h))).join('')}</table:table-row>`;
const table = (name: string, rows: string, style = 'ta1') => `<table:table table:name="${name}" table:style-name="${style}">${rows}</table:table>`;

function ods(tables: string, styles = ''): Buffer {
  const content =
    `<?xml version="1.0" encoding="UTF-8"?><office:document-content ${NS} office:version="1.3">` +
    `<office:automatic-styles>${styles}</office:automatic-styles><office:body><office:spreadsheet>${tables}</office:spreadsheet></office:body></office:document-content>`;
  return buildZip([
    { name: 'mimetype', data: Buffer.from('application/vnd.oasis.opendocument.spreadsheet') },
    { name: 'content.xml', method: 'deflate', data: Buffer.from(content, 'utf8') },
  ]);
}

const row = importRow;
const read = (buf: Buffer, maxRows = 100) => readImportRows(buf, 'ods', { maxRows });

describe('ods', () => {
  it('typed cells give their value; text cells their paragraphs, spaces, tabs, links and spans', async () => {
    const rows =
      HEAD +
      '<table:table-row>' +
      cell(p('Jean<text:s/><text:span>Pierre</text:span>') + p('Marie')) +
      cell(p('De<text:s text:c="2"/>La<text:tab/>Fontaine')) +
      cell(p('<text:a xlink:href="mailto:jp@example.fr">jp@example.fr</text:a>')) +
      cell(p('01/09/2024'), 'office:value-type="date" office:date-value="2024-09-01"') +
      '</table:table-row><table:table-row>' +
      cell(p('42,00 €'), 'office:value-type="currency" office:currency="EUR" office:value="42"') +
      cell(p('50 %'), 'office:value-type="percentage" office:value="0.5"') +
      cell(p('VRAI'), 'office:value-type="boolean" office:boolean-value="true"') +
      cell(p('2024-09-01 08:30'), 'office:value-type="date" office:date-value="2024-09-01T08:30:00"') +
      '</table:table-row>';
    expect((await read(ods(table('S', rows)))).rows).toEqual([
      row({ row: 2, firstName: 'Jean Pierre Marie', lastName: 'De La Fontaine', email: 'jp@example.fr', group: '2024-09-01' }),
      row({ row: 3, firstName: '42', lastName: '0.5', email: 'TRUE', group: '2024-09-01 08:30' }),
    ]);
  });

  it('comments (annotations) and images in a cell are not its text', async () => {
    const note = '<office:annotation><dc:creator>Prof</dc:creator><text:p>à vérifier</text:p></office:annotation>';
    const rows = `${HEAD}<table:table-row>${cell(note + p('Ada'))}${cell(p('Lovelace'))}${cell(p('ada@example.com'))}</table:table-row>`;
    expect((await read(ods(table('S', rows)))).rows).toEqual([row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' })]);
  });

  it('repeated rows and cells: empty ones only move the numbering, filled ones are read each time', async () => {
    const rows =
      `<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>` +
      HEAD.replace('<table:table-row>', '<table:table-row><table:table-cell table:number-columns-repeated="2"/>') +
      `<table:table-row table:number-rows-repeated="3"><table:table-cell table:number-columns-repeated="5"/></table:table-row>` +
      `<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="2"/>${cell(p('X'), 'office:value-type="string" table:number-columns-repeated="2"')}${cell(p('x@example.com'))}</table:table-row>` +
      `<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`;
    const result = await read(ods(table('S', rows)));
    expect(result.headerRow).toBe(3);
    expect(result.rows).toEqual([7, 8].map((n) => row({ row: n, firstName: 'X', lastName: 'X', email: 'x@example.com' })));
  });

  it('a row repeated 10^11 times walks no further than the last row a sheet can have', async () => {
    // 10^11 rows of a note beside empty student columns: uncapped, this would not end before the test's timeout.
    const rows = `${HEAD}<table:table-row table:number-rows-repeated="100000000000"><table:table-cell table:number-columns-repeated="4"/>${cell(p('note'))}</table:table-row>`;
    expect((await read(ods(table('S', rows)))).rows).toEqual([]);
  });

  it('merged cells: the covered cells are empty', async () => {
    const rows =
      `<table:table-row>${cell(p('Liste des élèves'), 'office:value-type="string" table:number-columns-spanned="4"')}<table:covered-table-cell table:number-columns-repeated="3"/></table:table-row>` +
      HEAD +
      `<table:table-row>${cell(p('Ada'))}${cell(p('Lovelace'))}${cell(p('ada@example.com'))}</table:table-row>`;
    const result = await read(ods(table('S', rows)));
    expect([result.headerRow, result.ignoredRows]).toEqual([2, [{ row: 1, text: 'Liste des élèves' }]]);
  });

  it('a table whose style says display="false" is hidden, and not read', async () => {
    const styles =
      '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>' +
      '<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style>';
    const hidden = table('Archive', `${HEAD}<table:table-row>${cell(p('Old'))}${cell(p('One'))}${cell(p('old@example.com'))}</table:table-row>`, 'ta2');
    const visible = table('Élèves', `${HEAD}<table:table-row>${cell(p('New'))}${cell(p('One'))}${cell(p('new@example.com'))}</table:table-row>`);
    const result = await read(ods(hidden + visible, styles));
    expect(result.sheetName).toBe('Élèves');
    expect(result.rows.map((r) => r.email)).toEqual(['new@example.com']);
  });

  it('a formula without a saved value is reported; with one, its value is read', async () => {
    const rows =
      HEAD +
      `<table:table-row>${cell(p('Ada'))}${cell(p('Lovelace'))}<table:table-cell table:formula="of:=LOWER([.A2])"/>${cell(p('3B'), 'table:formula="of:=&quot;3&quot;&amp;&quot;B&quot;" office:value-type="string" office:string-value="3B"')}</table:table-row>`;
    expect((await read(ods(table('S', rows)))).rows).toEqual([row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', group: '3B', unsaved: ['email'] })]);
  });

  it('maxRows counts repeated rows one by one', async () => {
    const rows = `${HEAD}<table:table-row table:number-rows-repeated="100000">${cell(p('A'))}${cell(p('B'))}${cell(p('a@example.com'))}</table:table-row>`;
    const e = await appError(() => read(ods(table('S', rows)), 500));
    expect([e.code, e.message]).toEqual(['TOO_MANY_ROWS', 'The file has more than 500 rows of students: the limit is 500 per import']);
  });

  it('malformed content.xml: INVALID_FILE', async () => {
    const e = await appError(() => read(ods(table('S', `${HEAD}<table:table-row>`))));
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The file is damaged: "content.xml" is not well-formed XML']);
  });

  it('libreoffice.ods (LibreOffice Calc from the same CSV as libreoffice.xlsx): the same rows', async () => {
    const fromOds = await read(fixture('libreoffice.ods'));
    const fromXlsx = await readImportRows(fixture('libreoffice.xlsx'), 'xlsx', { maxRows: 100 });
    expect(fromOds.rows).toEqual(fromXlsx.rows);
    expect(fromOds.rows.map((r) => [r.row, r.group, r.department])).toEqual([
      [2, '2024-09-01', '42'],
      [3, 'L2', 'Computer Science'],
      [5, '', '42'],
    ]);
  });
});
