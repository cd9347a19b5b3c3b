import { appError, importRow } from '../../../test/fixtures/helpers';
import { buildZip } from '../../../test/support/zip-writer';
import { readImportRows } from './spreadsheet-reader';

/**
 * SpreadsheetML written by hand: each case states what the format means
 * (ECMA-376 part 1, §18.3 cells, §18.4 shared strings, §18.8 styles), not
 * what another library happens to return.
 */

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD =
  '<row r="1"><c r="A1" t="inlineStr"><is><t>First name</t></is></c><c r="B1" t="inlineStr"><is><t>Last name</t></is></c>' +
  '<c r="C1" t="inlineStr"><is><t>Email</t></is></c><c r="D1" t="inlineStr"><is><t>Group</t></is></c></row>';

interface Book {
  /** The inside of <sheetData> (after the header row unless `head` is false), or a whole document. */
  sheet: string;
  head?: boolean;
  sst?: string;
  styles?: string;
  date1904?: boolean;
}

function book({ sheet, head = true, sst, styles, date1904 }: Book): Buffer {
  const doc = /^(\ufeff|<\?xml|<[\w:]*worksheet)/.test(sheet)
    ? sheet
    : `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS_MAIN}"><sheetData>${head ? HEAD : ''}${sheet}</sheetData></worksheet>`;
  const text = (s: string) => Buffer.from(s, 'utf8');
  return buildZip([
    { name: '[Content_Types].xml', data: text('<Types/>') },
    {
      name: 'xl/workbook.xml',
      data: text(
        `<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">${date1904 ? '<workbookPr date1904="1"/>' : ''}` +
          '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
      ),
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data: text(
        '<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/>' +
          '<Relationship Id="rId2" Type="x/styles" Target="styles.xml"/>' +
          '<Relationship Id="rId3" Type="x/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
      ),
    },
    { name: 'xl/worksheets/sheet1.xml', method: 'deflate', data: text(doc) },
    ...(sst === undefined ? [] : [{ name: 'xl/sharedStrings.xml', method: 'deflate' as const, data: text(`<sst xmlns="${NS_MAIN}">${sst}</sst>`) }]),
    ...(styles === undefined ? [] : [{ name: 'xl/styles.xml', data: text(styles) }]),
  ]);
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const STYLES = (numFmts: string, xfs: string) =>
  `<styleSheet xmlns="${NS_MAIN}"><numFmts>${numFmts}</numFmts><cellStyleXfs><xf numFmtId="14"/></cellStyleXfs><cellXfs>${xfs}</cellXfs></styleSheet>`;

const row = importRow;

/** The data rows, as [firstName, lastName, email, group] by row number. */
async function cells(spec: Book): Promise<Record<number, string[]>> {
  const { rows } = await readImportRows(book(spec), 'xlsx', { maxRows: 100 });
  return Object.fromEntries(rows.map((r) => [r.row, [r.firstName, r.lastName, r.email, r.group]]));
}

describe('xlsx cells', () => {
  it('shared strings: plain, rich text runs joined, empty, out of range', async () => {
    const sst = '<si><t>Ada</t></si><si><r><rPr><b/></rPr><t>Love</t></r><r><t xml:space="preserve">lace </t></r></si><si><t/></si>';
    expect(
      await cells({
        sheet: '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>9</v></c></row>',
        sst,
      }),
    ).toEqual({
      2: ['Ada', 'Lovelace', '', ''],
    });
  });

  it('phonetic guides (<rPh>) are not the text, in shared and inline strings', async () => {
    const sst =
      '<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><phoneticPr fontId="1"/></si><si><r><t>太</t></r><r><t>郎</t></r><rPh sb="0" eb="1"><t>タ</t></rPh></si>';
    const sheet =
      '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>0</v></c><c r="C2" t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c></row>';
    expect(await cells({ sheet, sst })).toEqual({ 2: ['太郎', '山田', '東京', ''] });
  });

  it('white space between the elements of a string is not text; xml:space text is kept (then trimmed)', async () => {
    const sst = '<si>\n <r><t>Jo</t>\n </r>\n <r><t>sé</t></r>\n</si>\n<si><t xml:space="preserve"> b </t>  </si>';
    expect(await cells({ sheet: '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s">\n <v>1</v>\n</c></row>', sst })).toEqual({ 2: ['José', 'b', '', ''] });
  });

  it('entities and character references are decoded once; _xHHHH_ escapes are decoded', async () => {
    const sheet = `<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="str"><f>x</f><v>a&amp;amp;b &#233;&#x1F600;</v></c>${inline('C2', '&lt;&amp;lt;&gt;&quot;&apos;')}${inline('D2', 'a_x000D_b_x005F_x0041_')}</row>`;
    expect(await cells({ sheet, sst: '<si><t>&amp;amp; &#x26;lt; &#60;</t></si>' })).toEqual({ 2: ['&amp; &lt; <', 'a&amp;b é😀', '<&lt;>"\'', 'a b_x0041_'] });
  });

  it('booleans, errors, ISO 8601 dates (t="d") and numbers', async () => {
    const sheet =
      '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="e"><v>#N/A</v></c><c r="D2" t="d"><v>2024-09-01T00:00:00Z</v></c></row>' +
      '<row r="3"><c r="A3" t="n"><v>1.50</v></c><c r="B3"><v>0042</v></c><c r="C3"><v>1E21</v></c><c r="D3" t="d"><v>2024-09-01T08:30:00</v></c></row>';
    expect(await cells({ sheet })).toEqual({ 2: ['TRUE', 'FALSE', '', '2024-09-01'], 3: ['1.5', '42', '1000000000000000000000', '2024-09-01 08:30'] });
  });

  it('formulas give their saved result, of the type t says, shared strings included', async () => {
    const sheet =
      '<row r="2"><c r="A2"><f>1+1</f><v>0</v></c><c r="B2" t="s"><f>LOWER(X2)</f><v>0</v></c><c r="C2" t="b"><f>TRUE()</f><v>1</v></c><c r="D2" t="e"><f>NA()</f><v>#N/A</v></c></row>' +
      '<row r="3"><c r="A3" t="str"><f>"a"</f><v>Ann</v></c><c r="B3"><f t="shared" si="0"/><v>7</v></c><c r="C3" t="str"><f>""</f><v></v></c><c r="D3" t="str"><f t="shared" ref="D3:D4" si="1">"G"&amp;1</f><v>G1</v></c></row>';
    expect(await cells({ sheet, sst: '<si><t>ada@example.com</t></si>' })).toEqual({ 2: ['0', 'ada@example.com', 'TRUE', ''], 3: ['Ann', '7', '', 'G1'] });
  });

  it('a formula without a saved value (no <v>, or an empty one) is reported, not read as empty', async () => {
    const sheet =
      '<row r="2"><c r="A2" t="inlineStr"><is><t>Ada</t></is></c><c r="B2"><f>X</f></c><c r="C2"><f>LOWER(A2)</f><v></v></c><c r="D2" t="s"><f>Y</f></c></row>';
    const { rows } = await readImportRows(book({ sheet }), 'xlsx', { maxRows: 10 });
    expect(rows).toEqual([row({ row: 2, firstName: 'Ada', unsaved: ['lastName', 'email', 'group'] })]);
  });

  it('dates by style: built-in and custom formats, the 1904 system, formula results; not other numbers', async () => {
    const styles = STYLES(
      '<numFmt numFmtId="164" formatCode="dd\\/mm\\/yyyy"/><numFmt numFmtId="165" formatCode="#,##0 &quot;days&quot;"/><numFmt numFmtId="14" formatCode="0.00"/>',
      '<xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="164"/><xf numFmtId="27"/><xf numFmtId="165"/><xf numFmtId="14"/>',
    );
    const sheet =
      '<row r="2"><c r="A2" s="1"><v>45536.5</v></c><c r="B2" s="2"><v>45536</v></c><c r="C2" s="3"><v>45536</v></c><c r="D2" s="2"><f>DATE(2024,9,1)</f><v>45536</v></c></row>' +
      '<row r="3"><c r="A3" s="4"><v>3</v></c><c r="B3" s="5"><v>2</v></c><c r="C3" s="99"><v>2</v></c><c r="D3"><v>45536</v></c></row>';
    expect(await cells({ sheet, styles, date1904: true })).toEqual({
      2: ['2028-09-02 12:00', '2028-09-02', '2028-09-02', '2028-09-02'],
      3: ['3', '2', '2', '45536'],
    });
    expect(await cells({ sheet, styles })).toMatchObject({ 2: ['2024-09-01 12:00', '2024-09-01', '2024-09-01', '2024-09-01'] });
  });

  it('a namespace prefix on every element (<x:worksheet>, as the OpenXML SDK writes)', async () => {
    const sheet = `<x:worksheet xmlns:x="${NS_MAIN}"><x:sheetData>${HEAD.replace(/<(\/?)(\w+)/g, '<$1x:$2')}<x:row r="2"><x:c r="A2" t="str"><x:v>Ada</x:v></x:c><x:c r="C2" t="inlineStr"><x:is><x:t>a@b.c</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`;
    expect(await cells({ sheet })).toEqual({ 2: ['Ada', '', 'a@b.c', ''] });
  });

  it('rows and cells without r follow the previous one; an explicit one resets the count', async () => {
    const sheet = `<row><c t="str"><v>A</v></c><c t="str"><v>B</v></c><c r="D2" t="str"><v>D</v></c></row><row r="5"><c t="str"><v>E</v></c></row><row><c r="B6" t="str"><v>F</v></c><c t="str"><v>G</v></c></row>`;
    expect(await cells({ sheet })).toEqual({ 2: ['A', 'B', '', 'D'], 5: ['E', '', '', ''], 6: ['', 'F', 'G', ''] });
  });

  it('a BOM, a declaration in single quotes, comments, CDATA, white space after the root', async () => {
    const sheet = `\ufeff<?xml version='1.0' encoding='utf-8'?><!-- a --><worksheet xmlns="${NS_MAIN}"><sheetData>${HEAD}<!-- b --><row r="2">${inline('A2', 'a<!-- c -->b')}<c r="B2" t="inlineStr"><is><t><![CDATA[x<y]]></t></is></c></row></sheetData></worksheet>\n<!-- d -->\n`;
    expect(await cells({ sheet })).toEqual({ 2: ['ab', 'x<y', '', ''] });
  });

  it('the header further down, columns beyond Z, lower-case references, rows out of order numbered after the previous', async () => {
    const sheet = `<row r="3">${inline('AA3', 'Email')}${inline('AB3', 'First name')}${inline('xfd3', 'Last name')}</row><row r="9">${inline('AA9', 'a@x.y')}</row><row r="4">${inline('AB4', 'B')}</row>`;
    const result = await readImportRows(book({ sheet, head: false }), 'xlsx', { maxRows: 10 });
    expect(result.headerRow).toBe(3);
    expect(result.rows).toEqual([row({ row: 9, email: 'a@x.y' }), row({ row: 10, firstName: 'B' })]);
  });

  it('elements the reader does not need are passed over; cells outside rows are ignored', async () => {
    const sheet = `<row r="2" spans="1:4" ht="15"><c r="A2" t="inlineStr" cm="1"><is><t>a</t></is><extLst/></c></row><c r="B9"><v>1</v></c>`;
    expect(await cells({ sheet })).toEqual({ 2: ['a', '', '', ''] });
  });

  it.each([
    ['mismatched tags', `<row r="2">${inline('A2', 'a</b>')}</row>`],
    ['a truncated sheet', `<row r="2">${inline('A2', 'a')}</row><row r="3">`],
    ['a doctype', `<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY e "boom">]><worksheet><sheetData>${HEAD}</sheetData></worksheet>`],
  ])('%s: INVALID_FILE naming the part', async (_label, sheet) => {
    const e = await appError(() => readImportRows(book({ sheet }), 'xlsx', { maxRows: 10 }));
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The file is damaged: "xl/worksheets/sheet1.xml" is not well-formed XML']);
  });

  it('a large sheet of non-ASCII text, shared and inline', async () => {
    const n = 3000;
    const sst = Array.from({ length: n }, (_, i) => `<si><t>Élodie ${i} 東京 😀</t></si>`).join('');
    const sheet = Array.from(
      { length: n },
      (_, i) =>
        `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>${i}</v></c>${inline(`B${i + 2}`, `Zoë ${i} &amp; Ünïcödé`)}${inline(`C${i + 2}`, `z${i}@example.com`)}</row>`,
    ).join('');
    const { rows } = await readImportRows(book({ sheet, sst }), 'xlsx', { maxRows: n });
    expect(rows).toHaveLength(n);
    expect(rows[n - 1]).toEqual(row({ row: n + 1, firstName: `Élodie ${n - 1} 東京 😀`, lastName: `Zoë ${n - 1} & Ünïcödé`, email: `z${n - 1}@example.com` }));
  });
});
