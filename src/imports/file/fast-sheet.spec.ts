import { readdirSync } from 'node:fs';
import * as ExcelJS from 'exceljs';
import { FIXTURES, fixture } from '../../../test/fixtures/helpers';
import { AppError } from '../../common/errors/app-error';
import { Declined } from './fast-sheet';
import { inflateEntry, inspectZip } from './file-guard';
import { ReadOptions, readImportRows, readXlsxUsing, XlsxEngine } from './spreadsheet-reader';
import { buildZip } from './zip-writer';

/**
 * The fast path against the reference: for each workbook, the fast path alone
 * ('fast', which throws Declined instead of falling back) or the service's way
 * ('auto') must give exactly what exceljs gives: the same ReadResult, or the
 * same AppError (status, code, message, details).
 */

const LIMIT: ReadOptions = { maxRows: 50_000 };

type Outcome = { result: unknown } | { error: { status: number; code: string; message: string; details: unknown } } | { declined: string } | { crash: string };

async function outcome(buf: Buffer, engine: XlsxEngine, opts: ReadOptions = LIMIT): Promise<Outcome> {
  try {
    return { result: await readXlsxUsing(buf, opts, engine) };
  } catch (e) {
    if (e instanceof AppError) return { error: { status: e.status, code: e.code, message: e.message, details: e.details } };
    if (e instanceof Declined) return { declined: e.reason };
    return { crash: String(e) };
  }
}

/** Both ways agree; `engine` 'fast' also proves the fast path did not decline. Returns the reference outcome. */
async function expectSame(buf: Buffer, engine: 'fast' | 'auto' = 'fast', opts: ReadOptions = LIMIT): Promise<Outcome> {
  const reference = await outcome(buf, 'exceljs', opts);
  expect(reference).not.toHaveProperty('crash');
  expect(await outcome(buf, engine, opts)).toStrictEqual(reference);
  return reference;
}

async function declines(buf: Buffer): Promise<boolean> {
  return 'declined' in (await outcome(buf, 'fast'));
}

// ------------------------------------------------------------------ fixtures

describe('fast path = exceljs: fixtures', () => {
  const names = readdirSync(FIXTURES).filter((n) => /\.(xlsx|xls|csv)$/.test(n));

  it('lists the fixtures', () => {
    expect(names).toEqual(expect.arrayContaining(['cells.xlsx', 'libreoffice.xlsx', 'inline-strings.xlsx', 'too-many-rows.xlsx']));
  });

  it.each(names)('%s', async (name) => {
    await expectSame(fixture(name));
  });

  it.each([1, 5, 6, 7])('cells.xlsx with maxRows %i', async (maxRows) => {
    await expectSame(fixture('cells.xlsx'), 'fast', { maxRows });
  });

  it('too-many-rows.xlsx read whole under a higher limit', async () => {
    const reference = await expectSame(fixture('too-many-rows.xlsx'), 'fast', { maxRows: 60_000 });
    expect((reference as { result: { rows: unknown[] } }).result.rows).toHaveLength(50_001);
  });
});

// ------------------------------------------------------- randomized workbooks

/** mulberry32: a small seeded generator, so a failure names its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Random = ReturnType<typeof random>;

const HEADERS: Record<string, string[]> = {
  firstName: ['First name', 'Prénom', 'FIRSTNAME', 'Given name', 'prenom'],
  lastName: ['Last name', 'Nom', 'Surname', 'Nom de famille'],
  email: ['Email', 'E-mail', 'Courriel', 'Adresse e-mail', 'Email (required)'],
  password: ['Password', 'Mot de passe'],
  group: ['Group', 'Groupe', 'Classe'],
  department: ['Department', 'Département', 'Service'],
};
const OTHER_HEADERS = ['Notes', 'Phone', 'Remarques', 'ID', '', 'Name', 'Comments & "quotes"', '東京'];

const PIECES = [
  'Ada',
  'Lovelace',
  'ada@example.com',
  'Élodie',
  'Zoë',
  'O’Brien',
  "O'Hara",
  '東京',
  'Ünïcödé',
  '😀',
  'x',
  ' ',
  '  ',
  '\u00a0',
  '\u200b',
  '\u2060',
  '\u00ad',
  '\t',
  '\n',
  '\r\n',
  '&',
  '<',
  '>',
  '"',
  "'",
  '&amp;',
  '&lt;b&gt;',
  '&#233;',
  '&quot;',
  '_x000D_',
  '_x0041_',
  ']]',
  ']]>',
  '<t>',
  'a@b.c',
  '0042',
  '=1+1',
  '-',
  '--',
  '#N/A',
];
const NUM_FMTS = [
  'General',
  '0',
  '0.00',
  '@',
  'dd/mm/yyyy',
  'yyyy-mm-dd',
  'yyyy-mm-dd hh:mm',
  'h:mm:ss',
  'mm-dd-yy',
  '[$-40C]d mmmm yyyy',
  '#,##0 "days"',
  '[Red]0.0',
  '0%',
  'DD/MM/YYYY',
  'YYYY',
  '"h"0',
  'b',
  '\\d0',
  '0.00E+00',
];

function randomText(r: Random): string {
  let s = '';
  for (let i = 1 + r.int(4); i > 0; i--) s += r.pick(PIECES);
  return s;
}

function randomDate(r: Random): Date {
  const day = Date.UTC(1900 + r.int(200), r.int(12), 1 + r.int(28));
  const time = r.chance(0.4) ? r.int(86_400) * 1000 : 0;
  return new Date(day + time);
}

function randomNumber(r: Random): number {
  return r.pick([
    () => r.int(1000),
    () => -r.int(1000),
    () => r.next() * 1e6,
    () => 0,
    () => 1e21,
    () => 12_345_678_901_234_567,
    () => 1e-7 * r.int(100),
    () => 0.1 + 0.2,
    () => 45_536 + r.next(),
  ])();
}

function randomValue(r: Random, email: boolean): ExcelJS.CellValue {
  switch (r.int(13)) {
    case 0:
    case 1:
      return null;
    case 2:
      return randomNumber(r);
    case 3:
      return randomDate(r);
    case 4:
      return r.chance(0.5);
    case 5: {
      const result = r.pick<unknown>([randomText(r), randomNumber(r), 0, r.chance(0.5), { error: '#DIV/0!' }, undefined, '']);
      return { formula: r.pick(['A1&"x"', '1+1', 'NA()', 'TODAY()', 'LOWER("A")']), result } as ExcelJS.CellValue;
    }
    case 6:
      return { richText: Array.from({ length: 1 + r.int(3) }, () => ({ text: randomText(r), font: r.chance(0.5) ? { bold: true } : undefined })) };
    case 7:
      return {
        text: r.chance(0.8) ? randomText(r) : '',
        hyperlink: r.chance(0.5) ? `mailto:${randomText(r).replace(/\s/g, '')}%40example.com?subject=Hi` : 'https://example.com/a?b=1&c=2',
      };
    case 8:
      return { error: r.pick(['#N/A', '#REF!', '#VALUE!']) };
    default:
      return email && r.chance(0.5) ? `${randomText(r)}@example.com` : randomText(r);
  }
}

async function randomWorkbook(seed: number): Promise<Buffer> {
  const r = random(seed);
  const wb = new ExcelJS.Workbook();
  if (r.chance(0.2)) wb.properties.date1904 = true;
  const ws = wb.addWorksheet(r.pick(['Students', 'Élèves & "co"', 'Liste <1>', 'S']));

  // The header: the required fields (now and then one missing or twice), others, unknown columns.
  const fields = Object.keys(HEADERS).filter((f) => ['firstName', 'lastName', 'email'].includes(f) || r.chance(0.6));
  if (r.chance(0.08)) fields.splice(r.int(fields.length), 1);
  if (r.chance(0.05)) fields.push(r.pick(fields));
  const columns: string[] = fields.map((f) => r.pick(HEADERS[f]));
  for (let i = r.int(r.chance(0.2) ? 35 : 4); i > 0; i--) columns.push(r.pick(OTHER_HEADERS));
  columns.sort(() => r.next() - 0.5);
  const firstColumn = 1 + (r.chance(0.3) ? r.int(4) : 0);

  let rowNumber = 1;
  for (let i = r.chance(0.3) ? r.int(3) : 0; i > 0; i--) {
    if (r.chance(0.5)) ws.getCell(rowNumber, firstColumn).value = r.pick([' ', '\u00a0', '\u200b', '']);
    rowNumber++;
  }
  columns.forEach((text, i) => {
    const cell = ws.getCell(rowNumber, firstColumn + i);
    cell.value = r.chance(0.1) ? { richText: [{ text: text.slice(0, 2) }, { text: text.slice(2) }] } : text;
  });

  const rows = r.pick([0, 1, 5, 20, 40, 70]);
  for (let n = 0; n < rows; n++) {
    rowNumber += r.chance(0.1) ? 2 + r.int(3) : 1; // gaps: rows that are not in the file at all
    const row = ws.getRow(rowNumber);
    if (r.chance(0.05)) row.numFmt = r.pick(NUM_FMTS); // a row style
    if (r.chance(0.1)) continue; // an empty row
    columns.forEach((header, i) => {
      if (r.chance(0.15)) return;
      const cell = row.getCell(firstColumn + i);
      cell.value = randomValue(r, /mail/i.test(header));
      if (r.chance(0.3)) cell.numFmt = r.pick(NUM_FMTS);
    });
  }
  // A shared formula now and then: the master and its children (children without a formula text).
  if (rows > 3 && r.chance(0.4)) {
    const col = firstColumn + r.int(columns.length);
    const top = rowNumber - 2;
    ws.getCell(top, col).value = {
      formula: '1+1',
      result: r.pick([0, 2, 'two']),
      shareType: 'shared',
      ref: `${ws.getColumn(col).letter}${top}:${ws.getColumn(col).letter}${rowNumber}`,
    } as ExcelJS.CellValue;
    ws.getCell(top + 1, col).value = { sharedFormula: `${ws.getColumn(col).letter}${top}`, result: r.pick([0, 7, 'seven']) };
    ws.getCell(top + 2, col).value = { sharedFormula: `${ws.getColumn(col).letter}${top}`, result: 45_536 };
    ws.getCell(top + 2, col).numFmt = 'dd/mm/yyyy';
  }
  const options = { useSharedStrings: r.chance(0.7), useStyles: r.chance(0.9) };
  return Buffer.from(await wb.xlsx.writeBuffer(options as ExcelJS.XlsxWriteOptions));
}

/** The package with some parts' XML rewritten (zip order kept). */
async function rewrite(buf: Buffer, edit: (name: string, xml: string) => string): Promise<Buffer> {
  const info = inspectZip(buf);
  const parts = await Promise.all(info.entries.map(async (e) => ({ name: e.name, data: await inflateEntry(buf, e) })));
  return buildZip(
    parts.map((p) => ({
      name: p.name,
      method: 'deflate' as const,
      data: /\.xml$/.test(p.name) ? Buffer.from(edit(p.name, p.data.toString('utf8')), 'utf8') : p.data,
    })),
  );
}

const isCells = (name: string) => /^xl\/(worksheets\/sheet\d+|sharedStrings)\.xml$/.test(name);

describe('fast path = exceljs: randomized workbooks', () => {
  const seeds = Array.from({ length: 50 }, (_, i) => i + 1);

  it.each(seeds)('seed %i', async (seed) => {
    const buf = await randomWorkbook(seed);
    await expectSame(buf);
    // A small limit: TOO_MANY_ROWS where there are more rows.
    await expectSame(buf, 'fast', { maxRows: 3 });
  });

  it.each(seeds.filter((s) => s % 5 === 0))('seed %i, pretty-printed (white space between all tags)', async (seed) => {
    const buf = await rewrite(await randomWorkbook(seed), (name, xml) => (isCells(name) ? xml.replace(/></g, '>\n  <') : xml));
    await expectSame(buf);
  });

  it.each(seeds.filter((s) => s % 5 === 1))('seed %i, attributes in single quotes, CRLF line ends', async (seed) => {
    const buf = await rewrite(await randomWorkbook(seed), (name, xml) =>
      isCells(name)
        ? xml
            .replace(/ (\w+)="([^"]*)"/g, " $1='$2'")
            .replace(/\n/g, '\r\n')
            .replace(/></g, '>\r\n<')
        : xml,
    );
    await expectSame(buf);
  });

  it.each(seeds.filter((s) => s % 5 === 2))('seed %i, rows without numbers: declined, same outcome', async (seed) => {
    const buf = await rewrite(await randomWorkbook(seed), (name, xml) => (/worksheets/.test(name) ? xml.replace(/<row r="\d+"/g, '<row') : xml));
    await expectSame(buf, 'auto');
    expect(await declines(buf)).toBe(true);
  });
});

// -------------------------------------------------- hand-written sheet XML

const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const HEAD =
  '<row r="1"><c r="A1" t="inlineStr"><is><t>First name</t></is></c><c r="B1" t="inlineStr"><is><t>Last name</t></is></c>' +
  '<c r="C1" t="inlineStr"><is><t>Email</t></is></c><c r="D1" t="inlineStr"><is><t>Password</t></is></c></row>';

interface Book {
  /** The inside of <sheetData> (after the header row unless `head` is false), or a whole document. */
  sheet: string;
  head?: boolean;
  sst?: string;
  styles?: string;
  date1904?: boolean;
}

function book({ sheet, head = true, sst, styles, date1904 }: Book): Buffer {
  const doc =
    sheet.startsWith('<?xml') || sheet.startsWith('\ufeff') || /^<[\w:]*worksheet/.test(sheet)
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
    ...(sst === undefined
      ? []
      : [{ name: 'xl/sharedStrings.xml', method: 'deflate' as const, data: text(sst.startsWith('<?xml') ? sst : `<sst xmlns="${NS_MAIN}">${sst}</sst>`) }]),
    ...(styles === undefined ? [] : [{ name: 'xl/styles.xml', data: text(styles) }]),
  ]);
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const STYLES = (numFmts: string, xfs: string) =>
  `<styleSheet xmlns="${NS_MAIN}"><numFmts>${numFmts}</numFmts><fonts><font/></fonts><fills><fill/></fills><borders><border/></borders>` +
  `<cellXfs>${xfs}</cellXfs></styleSheet>`;

/** Read the same by the fast path (declined: false) or declined and read by exceljs (declined: true). */
const cases: Array<[string, Book, boolean]> = [
  [
    'shared strings: plain, rich text, empty, out of range',
    {
      sheet: '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>9</v></c></row>',
      sst: '<si><t>Ada</t></si><si><r><rPr><b/></rPr><t>Love</t></r><r><t xml:space="preserve">lace </t></r></si><si><t/></si>',
    },
    false,
  ],
  [
    'shared strings: a phonetic reading replaces the text (exceljs)',
    {
      sheet:
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c></row>',
      sst: '<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><phoneticPr fontId="1"/></si><si><r><t>a</t></r><rPh><t>X</t></rPh></si>',
    },
    false,
  ],
  [
    'shared strings: white space between and after runs',
    {
      sheet: '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s">\n <v>1</v>\n</c></row>',
      sst: '<si>\n <r><t>Jo</t>\n </r>\n <r><t>sé</t></r>\n</si>\n<si><t>b</t>  </si>',
    },
    false,
  ],
  [
    'entities and character references, decoded once (shared) or twice (str, inlineStr: exceljs)',
    {
      sheet:
        '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="str"><f>x</f><v>a&amp;amp;b &#233;&#x1F600;</v></c>' +
        inline('C2', '&lt;&amp;lt;&gt;&quot;&apos;&#38;amp;') +
        '<c r="D2" t="str"><v>p&amp;quot;q</v></c></row>',
      sst: '<si><t>&amp;amp; &#x26;lt; &#60;</t></si>',
    },
    false,
  ],
  [
    'CR and CRLF in text become LF, &#13; stays',
    { sheet: `<row r="2">${inline('A2', 'a\r\nb\rc&#13;d')}<c r="B2" t="str"><v>x\r\ny</v></c></row>`.replace('<c r="B2"', '\r\n<c r="B2"') },
    false,
  ],
  [
    'booleans, errors, ISO dates and plain numbers as exceljs reads them',
    {
      sheet:
        '<row r="2"><c r="A2" t="b"><v>1</v></c><c r="B2" t="b"><v>0</v></c><c r="C2" t="b"><v>true</v></c><c r="D2" t="e"><v>#N/A</v></c></row><row r="3"><c r="A3" t="d"><v>2024-09-01T00:00:00Z</v></c><c r="B3" t="n"><v>1.50</v></c><c r="C3"><v> 7 </v></c><c r="D3"><v></v></c></row>',
    },
    false,
  ],
  [
    'formulas: results of every type, 0, none, empty formula text',
    {
      sheet:
        '<row r="2"><c r="A2"><f>1+1</f><v>0</v></c><c r="B2"><f t="shared" si="0"/><v>0</v></c><c r="C2" t="b"><f>TRUE()</f><v>1</v></c><c r="D2" t="e"><f>NA()</f><v>#N/A</v></c></row><row r="3"><c r="A3" t="str"><f>"a"</f><v></v></c><c r="B3"><f>X</f></c><c r="C3"><f t="shared" si="0"/>\n<v>0</v></c><c r="D3" t="str"><f t="shared" si="1"/><v>0</v></c></row>',
    },
    false,
  ],
  [
    'dates by style: built-in and custom formats, 1904 system, formula results',
    {
      sheet:
        '<row r="2"><c r="A2" s="1"><v>45536.5</v></c><c r="B2" s="2"><v>45536</v></c><c r="C2" s="3"><v>45536</v></c><c r="D2" s="4"><f>DATE(2024,9,1)</f><v>45536</v></c></row><row r="3" s="1" customFormat="1"><c r="A3"><v>1</v></c><c r="B3" s="5"><v>0.25</v></c><c r="C3" s="99"><v>2</v></c><c r="D3" s="6"><f>1</f><v>3</v></c></row>',
      styles: STYLES(
        '<numFmt numFmtId="164" formatCode="dd\\/mm\\/yyyy"/><numFmt numFmtId="165" formatCode="YYYY"/><numFmt numFmtId="166" formatCode="#,##0 &quot;days&quot;"/>',
        '<xf numFmtId="0"/><xf numFmtId="22"/><xf numFmtId="164"/><xf numFmtId="27"/><xf numFmtId="14"/><xf numFmtId="165"/><xf numFmtId="166"/>',
      ),
      date1904: true,
    },
    false,
  ],
  [
    'prefixed elements: nothing exceljs recognises',
    {
      sheet: `<x:worksheet xmlns:x="${NS_MAIN}"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>Email</x:t></x:is></x:c></x:row></x:sheetData></x:worksheet>`,
    },
    false,
  ],
  [
    'a BOM, a declaration in single quotes, comments, white space after the root',
    {
      sheet: `\ufeff<?xml version='1.0' encoding='utf-8'?><!-- a --><worksheet xmlns="${NS_MAIN}"><sheetData>${HEAD}<!-- b --><row r="2">${inline('A2', 'a<!-- c -->b')}</row></sheetData></worksheet>\n<!-- d -->\n`,
    },
    false,
  ],
  [
    'the header further down, columns beyond Z, rows out of order',
    {
      sheet: `<row r="3">${inline('AA3', 'Email')}${inline('AB3', 'First name')}${inline('XFD3', 'Last name')}</row><row r="9">${inline('AA9', 'a@x.y')}</row><row r="4">${inline('AB4', 'B')}</row><row r="0">${inline('XFD0', 'C')}</row>`,
      head: false,
    },
    false,
  ],
  ['rows without numbers and without cells, row 0', { sheet: `<row/><row r="0"/><row r="7">${inline('A7', 'x')}</row><row></row>` }, false],
  [
    'elements exceljs ignores, and cells outside rows',
    {
      sheet:
        `<row r="2" spans="1:4" ht="15" x14ac:dyDescent="0.25"><c r="A2" t="inlineStr" cm="1" vm="1"><is><t>a</t></is><extLst/></c></row><c r="B9"><v>1</v></c>`.replace(
          '<row r="2"',
          '<row r="2"',
        ),
    },
    false,
  ],
  ['a cell without a reference', { sheet: '<row r="2"><c t="inlineStr"><is><t>a</t></is></c></row>' }, true],
  ['a row without a number, with cells', { sheet: `<row>${inline('A2', 'a')}</row>` }, true],
  ['a lower-case cell reference', { sheet: `<row r="2">${inline('a2', 'a')}</row>` }, true],
  ['two cells in one column', { sheet: `<row r="2">${inline('A2', 'a')}<c r="A2"/></row>` }, true],
  ['an unknown cell type', { sheet: '<row r="2"><c r="A2" t="x"><v>1</v></c></row>' }, true],
  ['CDATA', { sheet: `<row r="2">${inline('A2', '<![CDATA[x]]>y')}</row>` }, true],
  ['a processing instruction', { sheet: `<row r="2"><?pi x?>${inline('A2', 'a')}</row>` }, true],
  ['a doctype', { sheet: `<?xml version="1.0"?><!DOCTYPE worksheet><worksheet><sheetData>${HEAD}</sheetData></worksheet>` }, true],
  ['mismatched tags (exceljs: INVALID_FILE)', { sheet: `<row r="2">${inline('A2', 'a</b>')}</row>` }, true],
  ['an unknown entity (exceljs: INVALID_FILE)', { sheet: `<row r="2">${inline('A2', 'a&nbsp;b')}</row>` }, true],
  ['a bare ampersand (saxes drops the text, silently)', { sheet: `<row r="2">${inline('A2', 'a & b')}</row>` }, true],
  ['a control character (exceljs: INVALID_FILE)', { sheet: `<row r="2">${inline('A2', 'a\u0001b')}</row>` }, true],
  ['a reference to a disallowed character (exceljs: INVALID_FILE)', { sheet: `<row r="2">${inline('A2', 'a&#1;b')}</row>` }, true],
  ['a duplicate attribute (exceljs: INVALID_FILE)', { sheet: '<row r="2" r="3"></row>' }, true],
  ['"<" in an attribute (exceljs: INVALID_FILE)', { sheet: '<row r="2" x="<"></row>' }, true],
  ['text after the root (exceljs: INVALID_FILE)', { sheet: `<worksheet><sheetData>${HEAD}</sheetData></worksheet>junk` }, true],
  ['a truncated sheet (exceljs reads what is there)', { sheet: `<worksheet><sheetData>${HEAD}<row r="2">${inline('A2', 'a')}</row><row r="3">` }, true],
  ['a malformed shared-strings part (exceljs: INVALID_FILE)', { sheet: '<row r="2"><c r="A2" t="s"><v>0</v></c></row>', sst: '<si><t>a</si>' }, true],
  [
    'styles exceljs cannot use with a styled row (exceljs: INVALID_FILE)',
    { sheet: `<row r="2" s="1">${inline('A2', 'a')}</row>`, styles: `<styleSheet xmlns="${NS_MAIN}"/>` },
    true,
  ],
  ['a styled cell and no styles part at all', { sheet: `<row r="2"><c r="A2" s="3"><v>1</v></c></row>` }, false],
  [
    'too many rows, then malformed XML: INVALID_FILE wins, as in exceljs',
    { sheet: `<row r="2">${inline('A2', 'a')}</row><row r="3">${inline('A3', 'b')}</row><row r="4">${inline('A4', 'c &x; d')}</row>` },
    true,
  ],
  [
    'a bad header, then a cell exceljs cannot place: INVALID_FILE wins',
    { sheet: `<row r="1">${inline('A1', 'Email')}</row><row r="2"><c t="inlineStr"><is><t>a</t></is></c></row>`, head: false },
    true,
  ],
];

describe('fast path = exceljs: hand-written sheets', () => {
  it.each(cases)('%s', async (_label, spec, declined) => {
    const buf = book(spec);
    await expectSame(buf, 'auto', { maxRows: 2 });
    await expectSame(buf, 'auto');
    expect(await declines(buf)).toBe(declined);
  });

  it('a large sheet of non-ASCII text, shared and inline', async () => {
    const n = 3000;
    const sst = Array.from({ length: n }, (_, i) => `<si><t>Élodie ${i} 東京 😀</t></si>`).join('');
    const rows = Array.from(
      { length: n },
      (_, i) =>
        `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>${i}</v></c>${inline(`B${i + 2}`, `Zoë ${i} &amp; Ünïcödé`)}${inline(`C${i + 2}`, `z${i}@example.com`)}</row>`,
    ).join('');
    await expectSame(book({ sheet: rows, sst }));
  });

  it('readImportRows reads with the fast path, and with exceljs only when it declines', async () => {
    const prototype = ExcelJS.stream.xlsx.WorkbookReader.prototype as unknown as { parse: () => AsyncGenerator };
    const spy = jest.spyOn(prototype, 'parse');
    try {
      const fast = await readImportRows(fixture('cells.xlsx'), 'xlsx', LIMIT);
      expect(fast.rows).toHaveLength(6);
      expect(spy).not.toHaveBeenCalled();
      const declined = book({ sheet: '<row r="2"><c r="A2" t="x"><v>1</v></c></row>' });
      expect((await readImportRows(declined, 'xlsx', LIMIT)).rows).toEqual([expect.objectContaining({ row: 2, firstName: '1' })]);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
