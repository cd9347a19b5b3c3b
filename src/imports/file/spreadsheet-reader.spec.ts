import * as ExcelJS from 'exceljs';
import { appError, fixture } from '../../../test/fixtures/helpers';
import { makeManyRowsXlsx } from '../../../test/fixtures/generate';
import { cellText, cleanText, formatDate, isDateFormat } from './cell-text';
import { fieldOfHeader, matchHeader } from './columns';
import { detectDelimiter } from './csv';
import { detectKind, inflateEntry, inspectZip } from './file-guard';
import { flattenInlineRichText, ImportRow, readImportRows } from './spreadsheet-reader';
import { buildZip } from './zip-writer';

const LIMIT = { maxRows: 50_000 };

/** Reads a fixture the way the service will: kind from the bytes, then the rows. */
async function read(name: string, opts = LIMIT) {
  const buf = fixture(name);
  return readImportRows(buf, detectKind(buf, name), opts);
}

const row = (r: Partial<ImportRow> & { row: number }): ImportRow => ({
  firstName: '',
  lastName: '',
  email: '',
  password: '',
  group: '',
  department: '',
  ...r,
});

async function xlsx(build: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  build(wb.addWorksheet('Students'), wb);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const csv = (text: string, opts = LIMIT) => readImportRows(Buffer.from(text, 'utf8'), 'csv', opts);

describe('readImportRows: xlsx fixtures', () => {
  it('cells.xlsx: every kind of cell becomes the text a person sees', async () => {
    const result = await read('cells.xlsx');
    expect(result.headerRow).toBe(1);
    expect(result.sheetName).toBe('Students');
    expect(result.rows).toEqual([
      // rich text, spaces and NBSP, a mailto hyperlink, a date, a number
      row({ row: 2, firstName: 'José', lastName: 'Dupont', email: 'jose.dupont@example.com', group: '2024-09-01', department: '42' }),
      // formula with its cached result, rich text, formula, numeric formula, boolean
      row({
        row: 3,
        firstName: 'Anna',
        lastName: 'Martin',
        email: 'anna.martin@example.com',
        password: 'Correct-Horse-42',
        group: '42',
        department: 'TRUE',
      }),
      // row 4 is blanks only: skipped, and numbering keeps the sheet's own
      // zero-width space and NBSP trimmed, a #N/A formula empty, a 13-digit integer
      row({ row: 5, firstName: 'Paul', lastName: 'Durand', email: 'paul.durand@example.com', department: '1234567890123' }),
      // the hyperlink's text (not its address), a date with a time, a shared formula master
      row({ row: 6, firstName: 'Léa', lastName: 'Petit', email: 'lea.petit@example.com', group: '2024-09-01 08:30', department: 'Dept A' }),
      // a decimal, a shared formula child (exceljs gives { formula: '', result })
      row({ row: 7, firstName: 'Hugo', lastName: 'Moreau', email: 'hugo.moreau@example.com', group: '3.5', department: 'Dept A' }),
      // a formula result formatted as a date, an integer of 22 digits
      row({
        row: 8,
        firstName: 'Inès',
        lastName: 'Roux',
        email: 'ines.roux@example.com',
        group: '2024-09-01',
        department: '1000000000000000000000',
      }),
    ]);
  });

  it('no fixture ever yields "[object Object]" or an untrimmed value', async () => {
    const names = [
      'cells.xlsx',
      'duplicates.xlsx',
      'french-headers.xlsx',
      'header-only.xlsx',
      'inline-strings.xlsx',
      'libreoffice.xlsx',
      'several-sheets.xlsx',
      'students.csv',
      'students-comma.csv',
    ];
    for (const name of names) {
      const { rows } = await read(name);
      for (const r of rows) {
        for (const [key, value] of Object.entries(r)) {
          if (key === 'row') continue;
          expect(value).not.toContain('[object');
          expect(value).toBe(value.trim());
        }
      }
    }
  });

  it('several-sheets.xlsx: the first sheet in workbook order is read (stored second in the zip)', async () => {
    const names = inspectZip(fixture('several-sheets.xlsx')).entries.map((e) => e.name);
    expect(names.indexOf('xl/worksheets/sheet1.xml')).toBeLessThan(names.indexOf('xl/worksheets/sheet2.xml'));
    const result = await read('several-sheets.xlsx');
    expect(result.sheetName).toBe('Students');
    expect(result.rows).toEqual([
      row({ row: 2, firstName: 'Right', lastName: 'Sheet', email: 'right@example.com', group: 'G1', department: 'D1' }),
      row({ row: 3, firstName: 'Second', lastName: 'Row', email: 'second@example.com' }),
    ]);
  });

  it('french-headers.xlsx: French headers in any order, an unknown column ignored', async () => {
    const result = await read('french-headers.xlsx');
    expect(result.rows).toEqual([
      row({
        row: 2,
        firstName: 'Hélène',
        lastName: 'Dubois',
        email: 'helene.dubois@example.fr',
        password: 'Tr0mb0ne-Violet',
        group: 'TD-1',
        department: 'Informatique',
      }),
      row({ row: 3, firstName: 'Marc', lastName: 'Leroy', email: 'marc.leroy@example.fr', group: 'TD-2', department: 'Mathématiques' }),
    ]);
  });

  it('libreoffice.xlsx (LibreOffice Calc): a date cell, numbers, a skipped blank row', async () => {
    const result = await read('libreoffice.xlsx');
    expect(result.rows).toEqual([
      row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', group: '2024-09-01', department: '42' }),
      row({ row: 3, firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', group: 'L2', department: 'Computer Science' }),
      // "0042" was typed into a General cell: Calc stored the number 42
      row({ row: 5, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', department: '42' }),
    ]);
  });

  it('inline-strings.xlsx: inline strings, no sharedStrings.xml, a sheet part not named sheetN.xml', async () => {
    const result = await read('inline-strings.xlsx');
    expect(result.sheetName).toBe('Liste');
    expect(result.rows).toEqual([
      row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' }),
      row({ row: 4, firstName: 'Tom & Jerry', lastName: 'O’Brien', email: 'tom@example.com' }),
    ]);
  });

  it('duplicates.xlsx: rows as written (duplicates are the validator’s business)', async () => {
    const { rows } = await read('duplicates.xlsx');
    expect(rows.map((r) => [r.row, r.email])).toEqual([
      [2, 'ada@example.com'],
      [3, 'ADA@Example.COM'],
      [4, 'ada @example.com'],
      [5, 'bob@example.com'],
      [6, 'BOB@EXAMPLE.COM'],
      [7, 'not-an-email'],
      [8, 'not-an-email'],
    ]);
  });

  it('header-only.xlsx: the header and no rows', async () => {
    expect(await read('header-only.xlsx')).toEqual({ rows: [], headerRow: 1, sheetName: 'Students' });
  });

  it('empty-sheet.xlsx: INVALID_HEADER "The sheet is empty"', async () => {
    const e = await appError(() => read('empty-sheet.xlsx'));
    expect(e.status).toBe(400);
    expect(e.code).toBe('INVALID_HEADER');
    expect(e.message).toMatch(/^The sheet is empty/);
  });

  it('wrong-header.xlsx: INVALID_HEADER naming the missing column', async () => {
    const e = await appError(() => read('wrong-header.xlsx'));
    expect([e.status, e.code, e.message]).toEqual([400, 'INVALID_HEADER', 'Missing column "Email"']);
    expect(e.details).toEqual([{ field: 'Email', message: 'column is missing' }]);
  });

  it('too-many-rows.xlsx (50,001 rows): TOO_MANY_ROWS stating the limit', async () => {
    const e = await appError(() => read('too-many-rows.xlsx'));
    expect([e.status, e.code]).toEqual([400, 'TOO_MANY_ROWS']);
    expect(e.message).toContain('50000');
    expect(e.details).toEqual({ maxRows: 50_000 });
  });

  it('zip limits can be tightened per call', async () => {
    const e = await appError(() =>
      readImportRows(fixture('cells.xlsx'), 'xlsx', { maxRows: 10, zipLimits: { maxEntries: 3, maxTotalUncompressed: 1e9, maxRatio: 200 } }),
    );
    expect(e.message).toMatch(/decompression bomb: it holds \d+ entries/);
  });

  it('bomb.xlsx and truncated.xlsx: INVALID_FILE even when the guard was skipped', async () => {
    expect((await appError(() => readImportRows(fixture('bomb.xlsx'), 'xlsx', LIMIT))).message).toMatch(/decompression bomb/);
    expect((await appError(() => readImportRows(fixture('truncated.xlsx'), 'xlsx', LIMIT))).message).toBe('The file is damaged or truncated');
  });

  it('a sheet whose size is a lie inflates no further than declared', async () => {
    const real = await xlsx((ws) => {
      ws.addRow(['First name', 'Last name', 'Email']);
      for (let i = 0; i < 2000; i++) ws.addRow(['A', 'B', `a${i}@example.com`]);
    });
    const info = inspectZip(real);
    const parts = await Promise.all(info.entries.map(async (e) => ({ name: e.name, data: await inflateEntry(real, e) })));
    const lying = buildZip(
      parts.map((p) =>
        p.name === 'xl/worksheets/sheet1.xml' ? { ...p, method: 'deflate' as const, declaredSize: 1000 } : { ...p, method: 'deflate' as const },
      ),
    );
    const e = await appError(() => readImportRows(lying, 'xlsx', LIMIT));
    expect(e.message).toMatch(/decompression bomb/);
  });
});

describe('readImportRows: xlsx rules', () => {
  it('stops at maxRows + 1 non-empty rows; empty rows do not count', async () => {
    const buf = fixture('cells.xlsx'); // 6 data rows and 1 blank one
    expect((await readImportRows(buf, 'xlsx', { maxRows: 6 })).rows).toHaveLength(6);
    const e = await appError(() => readImportRows(buf, 'xlsx', { maxRows: 5 }));
    expect(e.code).toBe('TOO_MANY_ROWS');
    expect(e.message).toBe('The file has more than 5 rows of students; import at most 5 per file');
  });

  it('reads 50,000 rows', async () => {
    const buf = await makeManyRowsXlsx(50_000);
    const { rows } = await readImportRows(buf, 'xlsx', LIMIT);
    expect(rows).toHaveLength(50_000);
    expect(rows[0]).toEqual(row({ row: 2, firstName: 'First 1', lastName: 'Last 1', email: 'student.1@example.com', group: 'G1' }));
    expect(rows[49_999]).toEqual(row({ row: 50_001, firstName: 'First 50000', lastName: 'Last 50000', email: 'student.50000@example.com', group: 'G0' }));
  });

  it('the header is the first non-empty row, wherever it is', async () => {
    const buf = await xlsx((ws) => {
      ws.getCell('B3').value = 'Email';
      ws.getCell('C3').value = 'Last name';
      ws.getCell('D3').value = 'First name';
      ws.getCell('B5').value = 'a@example.com';
      ws.getCell('C5').value = 'Lovelace';
      ws.getCell('D5').value = 'Ada';
    });
    const result = await readImportRows(buf, 'xlsx', LIMIT);
    expect(result.headerRow).toBe(3);
    expect(result.rows).toEqual([row({ row: 5, firstName: 'Ada', lastName: 'Lovelace', email: 'a@example.com' })]);
  });

  it('dates in a workbook using the 1904 date system', async () => {
    const buf = await xlsx((ws, wb) => {
      wb.properties.date1904 = true;
      ws.addRow(['First name', 'Last name', 'Email', 'Group']);
      ws.addRow(['Ada', 'Lovelace', 'a@example.com', new Date(Date.UTC(2024, 8, 1))]);
    });
    expect((await readImportRows(buf, 'xlsx', LIMIT)).rows[0].group).toBe('2024-09-01');
  });

  it('the password keeps its inner spaces; other fields collapse them', async () => {
    const buf = await xlsx((ws) => {
      ws.addRow(['First name', 'Last name', 'Email', 'Password']);
      ws.addRow(['Jean  Pierre', 'De\u00a0La\tFontaine', 'a@example.com', '  correct  horse  ']);
    });
    const [r] = (await readImportRows(buf, 'xlsx', LIMIT)).rows;
    expect([r.firstName, r.lastName, r.password]).toEqual(['Jean Pierre', 'De La Fontaine', 'correct  horse']);
  });

  it('a workbook exceljs cannot parse is INVALID_FILE, not a crash', async () => {
    const broken = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>') },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: Buffer.from('<Relationships><Relationship Id="rId1" Type="x/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
      },
      {
        name: 'xl/worksheets/sheet1.xml',
        data: Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row></sheetData'),
      },
    ]);
    const e = await appError(() => readImportRows(broken, 'xlsx', LIMIT));
    expect(e.code).toMatch(/^INVALID_(FILE|HEADER)$/);
  });

  it('a workbook without any worksheet: INVALID_HEADER', async () => {
    const noSheet = buildZip([
      { name: '[Content_Types].xml', data: Buffer.from('<Types/>') },
      { name: 'xl/workbook.xml', data: Buffer.from('<workbook><sheets/></workbook>') },
      { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from('<Relationships/>') },
    ]);
    expect((await appError(() => readImportRows(noSheet, 'xlsx', LIMIT))).message).toBe('The workbook has no worksheet');
  });
});

describe('readImportRows: CSV', () => {
  it('students.csv: BOM, ";", CRLF, quoted ";" and doubled quotes, a blank row skipped', async () => {
    expect(await read('students.csv')).toEqual({
      headerRow: 1,
      rows: [
        row({
          row: 2,
          firstName: 'Élodie',
          lastName: 'Martin; Durand',
          email: 'elodie.martin@example.fr',
          group: 'G1',
          department: 'Service "Info"',
        }),
        row({
          row: 3,
          firstName: 'Jean',
          lastName: 'Dupont',
          email: 'jean.dupont@example.fr',
          password: 'Tr0mb0ne-Violet',
          group: 'G2',
          department: 'Maths',
        }),
        row({ row: 5, firstName: 'Zoé', lastName: 'Bernard', email: 'zoe.bernard@example.fr' }),
      ],
    });
  });

  it('students-comma.csv: ",", LF, a quoted "," and a quoted line break (one record)', async () => {
    expect((await read('students-comma.csv')).rows).toEqual([
      row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', group: 'L1, A', department: 'Maths' }),
      row({ row: 3, firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', group: 'L2', department: 'Computer Science' }),
      row({ row: 4, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' }),
    ]);
  });

  it('the delimiter is the one used most in the header line, outside quotes', () => {
    expect(detectDelimiter('"Nom, prénom";Email;Groupe\r\na,b;c;d')).toBe(';');
    expect(detectDelimiter('First name,Last name,"Email; mail"\n')).toBe(',');
    expect(detectDelimiter('\r\n\r\nFirst name;Last name;Email')).toBe(';');
    expect(detectDelimiter('Email')).toBe(',');
    expect(detectDelimiter('First name\tLast name\tEmail')).toBe('\t');
  });

  it('CR-only line ends, a last line without a line end, a trailing delimiter', async () => {
    const { rows } = await csv('First name;Last name;Email\rAda;Lovelace;a@example.com;\rAlan;Turing;t@example.com');
    expect(rows).toEqual([
      row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'a@example.com' }),
      row({ row: 3, firstName: 'Alan', lastName: 'Turing', email: 't@example.com' }),
    ]);
  });

  it("Excel's sep= line sets the delimiter and is not a row", async () => {
    const result = await csv('sep=,\r\nFirst name,Last name,Email\r\nAda;X,Lovelace,a@example.com\r\n');
    expect(result.headerRow).toBe(1);
    expect(result.rows).toEqual([row({ row: 2, firstName: 'Ada;X', lastName: 'Lovelace', email: 'a@example.com' })]);
  });

  it('blank lines before the header count as rows; short records are padded', async () => {
    const result = await csv('\n;;\nEmail;First name;Last name;Group\na@example.com;Ada\n');
    expect(result.headerRow).toBe(3);
    expect(result.rows).toEqual([row({ row: 4, firstName: 'Ada', email: 'a@example.com' })]);
  });

  it('lenient with stray quotes inside fields, strict with a quote never closed', async () => {
    const { rows } = await csv('First name,Last name,Email\nAda,O"Brien,"a"@example.com\n');
    expect(rows[0]).toEqual(row({ row: 2, firstName: 'Ada', lastName: 'O"Brien', email: 'a@example.com' }));
    const e = await appError(() => csv('First name,Last name,Email\nAda,Lovelace,a@example.com\n"Alan,Turing,t@example.com\n'));
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The CSV file has a quote that is never closed (row 3)']);
  });

  it('stops at maxRows + 1 rows', async () => {
    const lines = ['First name,Last name,Email', ...Array.from({ length: 10 }, (_, i) => `A,B,a${i}@example.com`)];
    expect((await csv(lines.join('\n'), { maxRows: 10 })).rows).toHaveLength(10);
    const e = await appError(() => csv(lines.join('\n'), { maxRows: 9 }));
    expect(e.code).toBe('TOO_MANY_ROWS');
  });

  it('header problems: missing columns, a column twice, nothing but separators', async () => {
    const missing = await appError(() => csv('Last name;Group\nX;Y\n'));
    expect([missing.code, missing.message]).toEqual(['INVALID_HEADER', 'Missing columns "First name", "Email"']);
    expect(missing.details).toEqual([
      { field: 'First name', message: 'column is missing' },
      { field: 'Email', message: 'column is missing' },
    ]);
    const twice = await appError(() => csv('First name;Last name;Email;Courriel\n'));
    expect([twice.code, twice.message]).toEqual(['INVALID_HEADER', 'Column "Email" appears more than once']);
    const nothing = await appError(() => csv(';;;\r\n;;\r\n'));
    expect(nothing.code).toBe('INVALID_HEADER');
  });

  it('invalid UTF-8 handed straight to the reader: INVALID_FILE', async () => {
    const e = await appError(() => readImportRows(Buffer.from('Pr\xe9nom', 'latin1'), 'csv', LIMIT));
    expect(e.code).toBe('INVALID_FILE');
  });
});

describe('flattenInlineRichText', () => {
  it('joins the runs of inline rich text and drops phonetic readings', () => {
    const xml = Buffer.from(
      '<c t="inlineStr"><is><r><rPr><b/></rPr><t>Jo</t></r><r><t xml:space="preserve">sé &amp; </t></r><r><t/></r></is></c>' +
        '<c t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c>' +
        '<c t="inlineStr"><is><t>plain</t></is></c>',
    );
    expect(flattenInlineRichText(xml).toString()).toBe(
      '<c t="inlineStr"><is><t xml:space="preserve">José &amp; </t></is></c>' +
        '<c t="inlineStr"><is><t xml:space="preserve">東京</t></is></c>' +
        '<c t="inlineStr"><is><t>plain</t></is></c>',
    );
  });

  it('leaves a sheet without inline strings as it is (same buffer)', () => {
    const xml = Buffer.from('<c t="s"><v>0</v></c>');
    expect(flattenInlineRichText(xml)).toBe(xml);
  });
});

describe('header matching', () => {
  it.each([
    ['First name', 'firstName'],
    ['FIRSTNAME', 'firstName'],
    ['Prénom', 'firstName'],
    ['prenom', 'firstName'],
    ['Last name', 'lastName'],
    ['Nom', 'lastName'],
    ['Nom de famille', 'lastName'],
    ['Email', 'email'],
    ['E-mail', 'email'],
    ['E-mail *', 'email'],
    ['Email (required)', 'email'],
    ['Courriel', 'email'],
    ['Adresse e-mail', 'email'],
    ['Mail', 'email'],
    ['Mot de passe', 'password'],
    ['Password', 'password'],
    ['Groupe', 'group'],
    ['Classe', 'group'],
    ['Département', 'department'],
    ['Service', 'department'],
    ['Filière', 'department'],
  ])('"%s" is %s', (header, field) => {
    expect(fieldOfHeader(header)).toBe(field);
  });

  it.each(['Name', 'Full name', 'Phone', 'Emails', 'Mot', ''])('"%s" is no field', (header) => {
    expect(fieldOfHeader(header)).toBeUndefined();
  });

  it('maps each field to its column, ignoring unknown ones', () => {
    expect(matchHeader(['Notes', 'Courriel', '', 'NOM', 'prénom', 'Groupe'])).toEqual({
      email: 1,
      lastName: 3,
      firstName: 4,
      group: 5,
    });
  });
});

describe('cell texts', () => {
  it.each<[string, unknown, string]>([
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['an integer', 42, '42'],
    ['a big integer', 12345678901234567, '12345678901234568'],
    ['1e21', 1e21, '1000000000000000000000'],
    ['a float with binary noise', 0.1 + 0.2, '0.3'],
    ['NaN (an error formula result in streaming mode)', NaN, ''],
    ['true', true, 'TRUE'],
    ['a date', new Date(Date.UTC(2024, 8, 1)), '2024-09-01'],
    ['a date and time', new Date(Date.UTC(2024, 8, 1, 8, 30, 15)), '2024-09-01 08:30:15'],
    ['a time only', new Date(Date.UTC(1899, 11, 30, 14, 5)), '14:05'],
    ['an invalid date', new Date(NaN), ''],
    ['rich text', { richText: [{ text: 'Jo' }, { text: 'sé' }, { font: {} }] }, 'José'],
    ['a hyperlink', { text: 'Ada', hyperlink: 'https://example.com' }, 'Ada'],
    ['a hyperlink with rich text', { text: { richText: [{ text: 'a@' }, { text: 'b.c' }] }, hyperlink: 'mailto:x@y.z' }, 'a@b.c'],
    ['a mailto hyperlink without text', { text: '', hyperlink: 'mailto:ada%40example.com?subject=Hi' }, 'ada@example.com'],
    ['a formula', { formula: 'CONCAT("a","b")', result: 'ab' }, 'ab'],
    ['a formula without a cached result', { formula: 'A1' }, ''],
    ['a formula with an error', { formula: 'NA()', result: { error: '#N/A' } }, ''],
    ['a shared formula', { sharedFormula: 'A1', result: 7 }, '7'],
    ['an error', { error: '#DIV/0!' }, ''],
    ['a shared-string index', { sharedString: 3 }, ''],
    ['an unknown object with text', { text: 'kept' }, 'kept'],
    ['an unknown object', { foo: 'bar' }, ''],
    ['an array', ['x'], ''],
  ])('%s', (_label, value, expected) => {
    expect(cellText(value)).toBe(expected);
  });

  it('a numeric formula result shown as a date becomes a date (1900 and 1904 systems)', () => {
    expect(cellText({ formula: 'TODAY()', result: 45536 }, { numFmt: 'dd/mm/yyyy' })).toBe('2024-09-01');
    expect(cellText({ formula: 'TODAY()', result: 45536 - 1462 }, { numFmt: 'dd/mm/yyyy', date1904: true })).toBe('2024-09-01');
    expect(cellText({ formula: '1+1', result: 2 }, { numFmt: '0.00' })).toBe('2');
  });

  it('isDateFormat', () => {
    expect(['yyyy-mm-dd', 'dd/mm/yy', 'h:mm', '[$-40C]d mmmm yyyy', 'mm-dd-yy'].every(isDateFormat)).toBe(true);
    expect(['General', '0.00', '@', '#,##0 "days"', '[Red]0', undefined].some(isDateFormat)).toBe(false);
  });

  it('formatDate rounds to the second', () => {
    expect(formatDate(new Date(Date.UTC(2024, 8, 1, 8, 29, 59, 999)))).toBe('2024-09-01 08:30');
  });

  it('cleanText trims NBSP and zero-width characters and collapses white space', () => {
    expect(cleanText('\u200b\u00a0 Ada \u00a0\u2060Lovelace\u202f\r\n')).toBe('Ada Lovelace');
  });
});
