import * as ExcelJS from 'exceljs';
import { ZipArchive } from '../file/file-guard';
import { buildReport, escapeCell, ReportRow } from './report';

async function load(buf: Buffer): Promise<ExcelJS.Worksheet> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  return wb.worksheets[0];
}

const base: ReportRow = {
  row: 2,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  group: 'L1',
  department: 'Maths',
  outcome: 'created',
  message: '',
};

describe('escapeCell', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['+33 6 12 34 56 78', "'+33 6 12 34 56 78"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['Ada', 'Ada'],
    ['a=b', 'a=b'],
    ['', ''],
    ["'already", "'already"],
  ])('%j → %j', (input, expected) => {
    expect(escapeCell(input)).toBe(expected);
  });
});

describe('buildReport', () => {
  it('has the columns Row, First name, Last name, Email, Group, Department, Outcome, Message', async () => {
    const ws = await load(await buildReport([base, { ...base, row: 3, outcome: 'failed', message: 'email: duplicate of row 2' }]));
    expect(ws.getRow(1).values).toEqual([undefined, 'Row', 'First name', 'Last name', 'Email', 'Group', 'Department', 'Outcome', 'Message']);
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(2).values).toEqual([undefined, 2, 'Ada', 'Lovelace', 'ada@example.com', 'L1', 'Maths', 'created']);
    expect(ws.getRow(3).getCell(8).value).toBe('email: duplicate of row 2');
    expect(ws.getRow(3).getCell(7).value).toBe('failed');
  });

  it('a formula-looking value is written as text with a leading apostrophe, never as a formula', async () => {
    const evil = '=HYPERLINK("http://evil.example","click")';
    const ws = await load(await buildReport([{ ...base, firstName: evil, lastName: '+1', group: '@x', department: '-1' }]));
    const cell = ws.getRow(2).getCell(2);
    expect(cell.value).toBe(`'${evil}`);
    expect(typeof cell.value).toBe('string');
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.formula).toBeUndefined();
    expect([ws.getRow(2).getCell(3).value, ws.getRow(2).getCell(5).value, ws.getRow(2).getCell(6).value]).toEqual(["'+1", "'@x", "'-1"]);
  });

  it('never writes a password, even when the row objects carry one', async () => {
    const withPassword = { ...base, password: 'Sup3r-Secret-Passw0rd' } as ReportRow;
    const buf = await buildReport([withPassword]);
    const zip = await ZipArchive.open(buf);
    expect(zip.names.length).toBeGreaterThan(3);
    for (const name of zip.names) expect((await zip.read(name))!.toString('utf8')).not.toContain('Sup3r-Secret-Passw0rd');
  });

  it('writes an empty report (header only) and a large one', async () => {
    expect((await load(await buildReport([]))).actualRowCount).toBe(1);
    const many = Array.from({ length: 20_000 }, (_, i) => ({ ...base, row: i + 2, email: `s${i}@example.com` }));
    const ws = await load(await buildReport(many));
    expect(ws.actualRowCount).toBe(20_001);
    expect(ws.getRow(20_001).getCell(4).value).toBe('s19999@example.com');
  });
});
