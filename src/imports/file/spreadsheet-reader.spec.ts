import * as ExcelJS from 'exceljs';
import { appError, fixture, importRow } from '../../../test/fixtures/helpers';
import { makeManyRowsXlsx } from '../../../test/fixtures/generate';
import { buildZip } from '../../../test/support/zip-writer';
import { cleanPassword, cleanText, formatDate, formatNumber, isDateFormat, isoDateText } from './cell-text';
import { fieldOfHeader, matchHeader } from './columns';
import { detectDelimiter } from './csv';
import { detectKind, ZipArchive } from './file-guard';
import { HEADER_SEARCH_ROWS, readImportRows } from './spreadsheet-reader';

const LIMIT = { maxRows: 50_000 };

/** Reads a fixture the way the service will: kind from the bytes, then the rows. */
async function read(name: string, opts = LIMIT) {
  const buf = fixture(name);
  return readImportRows(buf, await detectKind(buf, name), opts);
}

const row = importRow;

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
      'formula-shared-string.xlsx',
      'french-headers.xlsx',
      'header-only.xlsx',
      'hidden-first-sheet.ods',
      'hidden-first-sheet.xlsx',
      'inline-strings.xlsx',
      'libreoffice.ods',
      'libreoffice.xlsx',
      'openpyxl-formulas-resaved.xlsx',
      'openpyxl-formulas.xlsx',
      'openpyxl-iso-dates.xlsx',
      'openxml-sdk.xlsx',
      'phonetic.xlsx',
      'second-sheet.ods',
      'second-sheet.xlsx',
      'several-sheets.xlsx',
      'students.csv',
      'students-comma.csv',
      'title-rows.ods',
      'title-rows.xlsx',
    ];
    for (const name of names) {
      const { rows } = await read(name);
      for (const r of rows) {
        for (const [key, value] of Object.entries(r)) {
          if (key === 'row' || key === 'unsaved') continue;
          expect(value).not.toContain('[object');
          expect(value).toBe(value.trim());
        }
      }
    }
  });

  it('several-sheets.xlsx: the first sheet in workbook order is read (stored second in the zip)', async () => {
    const { names } = await ZipArchive.open(fixture('several-sheets.xlsx'));
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
    expect(await read('header-only.xlsx')).toEqual({ rows: [], headerRow: 1, sheetName: 'Students', ignoredRows: [] });
  });

  it('empty-sheet.xlsx: INVALID_HEADER naming the empty sheet', async () => {
    const e = await appError(() => read('empty-sheet.xlsx'));
    expect([e.status, e.code]).toEqual([400, 'INVALID_HEADER']);
    expect(e.message).toMatch(/^The sheet "Students" is empty: it needs a header row/);
    expect(e.details).toEqual([{ field: 'header', message: 'the sheet is empty', sheet: 'Students' }]);
  });

  it('wrong-header.xlsx: INVALID_HEADER naming the missing column, the sheet and the row taken as the header', async () => {
    const e = await appError(() => read('wrong-header.xlsx'));
    expect([e.status, e.code, e.message]).toEqual([400, 'INVALID_HEADER', 'Missing column "Email" (sheet "Students", row 1 taken as the header)']);
    expect(e.details).toEqual([{ field: 'Email', message: 'column is missing', sheet: 'Students', row: 1 }]);
  });

  it('too-many-rows.xlsx (50,001 rows): TOO_MANY_ROWS stating the limit', async () => {
    const e = await appError(() => read('too-many-rows.xlsx'));
    expect([e.status, e.code]).toEqual([400, 'TOO_MANY_ROWS']);
    expect(e.message).toBe('The file has more than 50000 rows of students: the limit is 50000 per import');
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
    const zip = await ZipArchive.open(real);
    const parts = await Promise.all(zip.names.map(async (name) => ({ name, data: (await zip.read(name))! })));
    const lying = buildZip(
      parts.map((p) =>
        p.name === 'xl/worksheets/sheet1.xml' ? { ...p, method: 'deflate' as const, declaredSize: 1000 } : { ...p, method: 'deflate' as const },
      ),
    );
    const e = await appError(() => readImportRows(lying, 'xlsx', LIMIT));
    expect(e.message).toMatch(/decompression bomb/);
  });
});

const STUDENTS_FR = [
  row({ row: 2, firstName: 'Zoé', lastName: 'Bernard', email: 'zoe.bernard@example.fr', group: '3B', department: 'Lettres' }),
  row({ row: 3, firstName: 'Noah', lastName: 'Petit', email: 'noah.petit@example.fr', group: '3B', department: 'Sciences' }),
  row({ row: 4, firstName: 'Inès', lastName: 'Moreau', email: 'ines.moreau@example.fr', group: '4A', department: 'Sciences' }),
];

describe('readImportRows: which sheet, which row (files written by openpyxl, converted by LibreOffice)', () => {
  it.each(['hidden-first-sheet.xlsx', 'hidden-first-sheet.ods'])('%s: the hidden parameters sheet is passed over', async (name) => {
    expect(await read(name)).toEqual({ sheetName: 'Élèves', headerRow: 1, ignoredRows: [], rows: STUDENTS_FR });
  });

  it.each(['second-sheet.xlsx', 'second-sheet.ods'])('%s: the instructions sheet has no header, the list on the second one is read', async (name) => {
    expect(await read(name)).toEqual({ sheetName: 'Élèves', headerRow: 1, ignoredRows: [], rows: STUDENTS_FR });
  });

  it.each(['no-student-sheet.xlsx', 'no-student-sheet.ods'])('%s: INVALID_HEADER naming every sheet looked at, and the hidden one', async (name) => {
    const e = await appError(() => read(name));
    expect([e.status, e.code, e.message]).toEqual([
      400,
      'INVALID_HEADER',
      'No sheet has the header row (First name, Last name, Email) in its first 10 rows: ' +
        'sheet "Consignes": missing columns "First name", "Last name", "Email" (row 1 taken as the header); ' +
        'sheet "Feuil2": missing columns "First name", "Last name" (row 1 taken as the header) (hidden sheets are not read: "Archive 2025")',
    ]);
    expect(e.details).toEqual([
      ...['First name', 'Last name', 'Email'].map((field) => ({ field, message: 'column is missing', sheet: 'Consignes', row: 1 })),
      ...['First name', 'Last name'].map((field) => ({ field, message: 'column is missing', sheet: 'Feuil2', row: 1 })),
    ]);
  });

  it.each(['title-rows.xlsx', 'title-rows.ods'])('%s: two title rows (merged) and a blank row above the header are ignored and reported', async (name) => {
    expect(await read(name)).toEqual({
      sheetName: 'Élèves',
      headerRow: 4,
      ignoredRows: [
        { row: 1, text: 'Liste des élèves 2026-2027' },
        { row: 2, text: 'Lycée Victor Hugo — classe de 3e B' },
      ],
      rows: STUDENTS_FR.map((r) => ({ ...r, row: r.row + 3 })),
    });
  });
});

describe('readImportRows: cells as real tools store them', () => {
  it('openpyxl-iso-dates.xlsx: ISO date cells (t="d") are dates, not 1905', async () => {
    expect((await read('openpyxl-iso-dates.xlsx')).rows.map((r) => [r.row, r.group, r.department])).toEqual([
      [2, '2024-09-01', '2024-09-01 08:30'],
      [3, '2025-02-28', 'Sciences'],
    ]);
  });

  it('openpyxl-formulas.xlsx: formulas saved without a value are reported on their rows', async () => {
    expect((await read('openpyxl-formulas.xlsx')).rows).toEqual([
      row({ row: 2, firstName: 'Lucas', lastName: 'Martin', group: '3B', unsaved: ['email'] }),
      row({ row: 3, firstName: 'Noah', lastName: 'Petit', email: 'noah.petit@example.fr', group: '3B' }),
      row({ row: 4, firstName: 'Inès', lastName: 'Moreau', email: 'ines.moreau@example.fr', unsaved: ['group'] }),
    ]);
  });

  it('openpyxl-formulas-resaved.xlsx (the same file saved again by LibreOffice): every value is there', async () => {
    expect((await read('openpyxl-formulas-resaved.xlsx')).rows.map((r) => [r.email, r.group, r.unsaved])).toEqual([
      ['lucas.martin@example.fr', '3B', undefined],
      ['noah.petit@example.fr', '3B', undefined],
      ['ines.moreau@example.fr', '4A', undefined],
    ]);
  });

  it('formula-shared-string.xlsx: a formula result stored as a shared string is the string, not its index', async () => {
    expect((await read('formula-shared-string.xlsx')).rows).toEqual([
      row({ row: 2, firstName: 'Zoé', lastName: 'Bernard', email: 'zoe.bernard@example.fr', group: '3B' }),
    ]);
  });

  it('phonetic.xlsx: Excel’s phonetic guides are not read as the name', async () => {
    expect((await read('phonetic.xlsx')).rows).toEqual([
      row({ row: 2, firstName: '太郎', lastName: '山田', email: 'taro.yamada@example.jp' }),
      row({ row: 3, firstName: '花子', lastName: '山田', email: 'hanako.yamada@example.jp' }),
    ]);
  });

  it('openxml-sdk.xlsx: the x: prefix everywhere, rows and cells without r', async () => {
    expect(await read('openxml-sdk.xlsx')).toEqual({
      sheetName: 'Students',
      headerRow: 1,
      ignoredRows: [],
      rows: [
        row({ row: 2, firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', group: 'L1' }),
        row({ row: 4, firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', group: '42' }),
        row({ row: 5, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', group: 'L3' }),
      ],
    });
  });
});

describe('readImportRows: xlsx rules', () => {
  it('stops at maxRows + 1 non-empty rows; empty rows do not count', async () => {
    const buf = fixture('cells.xlsx'); // 6 data rows and 1 blank one
    expect((await readImportRows(buf, 'xlsx', { maxRows: 6 })).rows).toHaveLength(6);
    const e = await appError(() => readImportRows(buf, 'xlsx', { maxRows: 5 }));
    expect(e.code).toBe('TOO_MANY_ROWS');
    expect(e.message).toBe('The file has more than 5 rows of students: the limit is 5 per import');
  });

  it('reads 50,000 rows', async () => {
    const buf = await makeManyRowsXlsx(50_000);
    const { rows } = await readImportRows(buf, 'xlsx', LIMIT);
    expect(rows).toHaveLength(50_000);
    expect(rows[0]).toEqual(row({ row: 2, firstName: 'First 1', lastName: 'Last 1', email: 'student.1@example.com', group: 'G1' }));
    expect(rows[49_999]).toEqual(row({ row: 50_001, firstName: 'First 50000', lastName: 'Last 50000', email: 'student.50000@example.com', group: 'G0' }));
  });

  it('the header is the first row naming the required columns, wherever it is among the first 10 non-empty rows', async () => {
    const buf = await xlsx((ws) => {
      ws.getCell('A1').value = 'Élèves 2026';
      ws.getCell('B3').value = 'Email';
      ws.getCell('C3').value = 'Last name';
      ws.getCell('D3').value = 'First name';
      ws.getCell('B5').value = 'a@example.com';
      ws.getCell('C5').value = 'Lovelace';
      ws.getCell('D5').value = 'Ada';
    });
    const result = await readImportRows(buf, 'xlsx', LIMIT);
    expect([result.headerRow, result.ignoredRows]).toEqual([3, [{ row: 1, text: 'Élèves 2026' }]]);
    expect(result.rows).toEqual([row({ row: 5, firstName: 'Ada', lastName: 'Lovelace', email: 'a@example.com' })]);
  });

  it(`a header after ${HEADER_SEARCH_ROWS} non-empty rows is not looked for: the closest row is named`, async () => {
    const titled = (titles: number) =>
      xlsx((ws) => {
        for (let i = 1; i <= titles; i++) ws.addRow(i === 3 ? ['Nom', 'Prénom', 'Note'] : [`Titre ${i}`]);
        ws.addRow(['First name', 'Last name', 'Email']);
        ws.addRow(['Ada', 'Lovelace', 'a@example.com']);
      });
    const nine = await readImportRows(await titled(HEADER_SEARCH_ROWS - 1), 'xlsx', LIMIT);
    expect([nine.headerRow, nine.ignoredRows.length, nine.rows.length]).toEqual([10, 9, 1]);
    const e = await appError(async () => readImportRows(await titled(HEADER_SEARCH_ROWS), 'xlsx', LIMIT));
    expect([e.code, e.message]).toEqual(['INVALID_HEADER', 'Missing column "Email" (sheet "Students", row 3 taken as the header)']);
  });

  it('a required column twice in the header: INVALID_HEADER naming the sheet and the row', async () => {
    const buf = await xlsx((ws) => {
      ws.addRow(['Liste']);
      ws.addRow(['First name', 'Last name', 'Email', 'Courriel']);
    });
    const e = await appError(() => readImportRows(buf, 'xlsx', LIMIT));
    expect([e.code, e.message]).toEqual(['INVALID_HEADER', 'Column "Email" appears more than once in the header (sheet "Students", row 2)']);
    expect(e.details).toEqual([{ field: 'Email', message: 'column appears more than once', sheet: 'Students', row: 2 }]);
  });

  it('a workbook whose every sheet is hidden: INVALID_HEADER naming them', async () => {
    const buf = await xlsx((ws, wb) => {
      ws.addRow(['First name', 'Last name', 'Email']);
      ws.state = 'hidden';
      wb.addWorksheet('Other', { state: 'veryHidden' });
    });
    const e = await appError(() => readImportRows(buf, 'xlsx', LIMIT));
    expect([e.code, e.message]).toEqual(['INVALID_HEADER', 'The workbook has no visible sheet (hidden sheets are not read: "Students", "Other")']);
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

  it('a sheet that is not well-formed XML is INVALID_FILE, not a crash', async () => {
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
    expect([e.code, e.message]).toEqual(['INVALID_FILE', 'The file is damaged: "xl/worksheets/sheet1.xml" is not well-formed XML']);
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
      ignoredRows: [],
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

  it('the delimiter is the one that splits the first lines into the most columns, quotes respected', () => {
    expect(detectDelimiter('"Nom, prénom";Email;Groupe\r\na,b;c;d')).toBe(';');
    expect(detectDelimiter('First name,Last name,"Email; mail"\n')).toBe(',');
    expect(detectDelimiter('\r\n\r\nFirst name;Last name;Email')).toBe(';');
    expect(detectDelimiter('Liste des élèves, 2026\nPrénom;Nom;Email;Groupe\n')).toBe(';');
    expect(detectDelimiter('Email')).toBe(',');
    expect(detectDelimiter('First name\tLast name\tEmail')).toBe('\t');
  });

  it('title lines above the header are ignored and reported', async () => {
    const result = await csv('Liste des élèves 2026;;\n\nPrénom;Nom;Email\nAda;Lovelace;a@example.com\n');
    expect([result.headerRow, result.ignoredRows]).toEqual([3, [{ row: 1, text: 'Liste des élèves 2026' }]]);
    expect(result.rows).toEqual([row({ row: 4, firstName: 'Ada', lastName: 'Lovelace', email: 'a@example.com' })]);
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
    // A field that opens with a quote and goes on after it is kept as written (csv-parse's relax_quotes).
    expect(rows[0]).toEqual(row({ row: 2, firstName: 'Ada', lastName: 'O"Brien', email: '"a"@example.com' }));
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
    expect([missing.code, missing.message]).toEqual(['INVALID_HEADER', 'Missing columns "First name", "Email" (row 1 taken as the header)']);
    expect(missing.details).toEqual([
      { field: 'First name', message: 'column is missing', sheet: null, row: 1 },
      { field: 'Email', message: 'column is missing', sheet: null, row: 1 },
    ]);
    const twice = await appError(() => csv('First name;Last name;Email;Courriel\n'));
    expect([twice.code, twice.message]).toEqual(['INVALID_HEADER', 'Column "Email" appears more than once in the header (row 1)']);
    const nothing = await appError(() => csv(';;;\r\n;;\r\n'));
    expect(nothing.code).toBe('INVALID_HEADER');
  });

  it('invalid UTF-8 handed straight to the reader: INVALID_FILE', async () => {
    const e = await appError(() => readImportRows(Buffer.from('Pr\xe9nom', 'latin1'), 'csv', LIMIT));
    expect(e.code).toBe('INVALID_FILE');
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

  it('maps each field to its column, ignoring unknown ones; says what is missing or twice', () => {
    expect(matchHeader(['Notes', 'Courriel', '', 'NOM', 'prénom', 'Groupe'])).toEqual({
      map: { email: 1, lastName: 3, firstName: 4, group: 5 },
      missing: [],
      twice: [],
      found: 4,
    });
    expect(matchHeader(['Nom', 'Nom de famille', 'Mail'])).toEqual({ map: { lastName: 0, email: 2 }, missing: ['firstName'], twice: ['lastName'], found: 2 });
  });
});

describe('cell texts', () => {
  it.each<[string, number, string]>([
    ['an integer', 42, '42'],
    // eslint-disable-next-line no-loss-of-precision -- a number as a spreadsheet stores it, past 2^53 on purpose
    ['a big integer', 12345678901234567, '12345678901234568'],
    ['1e21', 1e21, '1000000000000000000000'],
    ['a float with binary noise', 0.1 + 0.2, '0.3'],
    ['NaN', NaN, ''],
  ])('formatNumber: %s', (_label, value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  it.each<[string, Date, string]>([
    ['a date', new Date(Date.UTC(2024, 8, 1)), '2024-09-01'],
    ['a date and time', new Date(Date.UTC(2024, 8, 1, 8, 30, 15)), '2024-09-01 08:30:15'],
    ['a time only', new Date(Date.UTC(1899, 11, 30, 14, 5)), '14:05'],
    ['an invalid date', new Date(NaN), ''],
    ['rounded to the second', new Date(Date.UTC(2024, 8, 1, 8, 29, 59, 999)), '2024-09-01 08:30'],
  ])('formatDate: %s', (_label, value, expected) => {
    expect(formatDate(value)).toBe(expected);
  });

  it('isoDateText: ISO 8601 dates and date-times, the offset ignored; other text as it is', () => {
    expect(['2024-09-01', '2024-09-01T00:00:00Z', '2024-09-01T08:30:00.000+02:00', '2024-02-29T23:59:59.6', 'soon'].map(isoDateText)).toEqual([
      '2024-09-01',
      '2024-09-01',
      '2024-09-01 08:30',
      '2024-03-01',
      'soon',
    ]);
  });

  it('isDateFormat', () => {
    expect(['yyyy-mm-dd', 'dd/mm/yy', 'h:mm', '[$-40C]d mmmm yyyy', 'mm-dd-yy'].every(isDateFormat)).toBe(true);
    expect(['General', '0.00', '@', '#,##0 "days"', '[Red]0', undefined].some(isDateFormat)).toBe(false);
  });

  it('cleanText trims NBSP and zero-width characters and collapses white space; the password keeps inner spaces', () => {
    expect(cleanText('\u200b\u00a0 Ada \u00a0\u2060Lovelace\u202f\r\n')).toBe('Ada Lovelace');
    expect(['Ada Lovelace', 'a  b', ' a', 'a ', 'a\tb', 'x\u00adz', 'e\u0301'].map(cleanText)).toEqual([
      'Ada Lovelace',
      'a b',
      'a',
      'a',
      'a b',
      'xz',
      'e\u0301',
    ]);
    expect(cleanPassword('\u200b  correct  horse \u00a0')).toBe('correct  horse');
  });
});
