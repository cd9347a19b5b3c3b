import * as ExcelJS from 'exceljs';
import { detectKind } from '../file/file-guard';
import { readImportRows } from '../file/spreadsheet-reader';
import { buildTemplate } from './template';

describe('buildTemplate', () => {
  let buf: Buffer;
  let wb: ExcelJS.Workbook;

  beforeAll(async () => {
    buf = await buildTemplate();
    wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ExcelJS.Buffer);
  });

  it('reads back as an import: the header is found, there are no rows', async () => {
    expect(await detectKind(buf, 'template.xlsx')).toBe('xlsx');
    expect(await readImportRows(buf, 'xlsx', { maxRows: 10 })).toEqual({ rows: [], headerRow: 1, sheetName: 'Students', ignoredRows: [] });
  });

  it('the example header on the Instructions sheet is never taken for the list (beyond the first 10 non-empty rows)', async () => {
    const copy = new ExcelJS.Workbook();
    await copy.xlsx.load(buf as unknown as ExcelJS.Buffer);
    copy.worksheets[0].spliceRows(1, 1);
    const emptied = Buffer.from(await copy.xlsx.writeBuffer());
    await expect(readImportRows(emptied, 'xlsx', { maxRows: 10 })).rejects.toMatchObject({
      code: 'INVALID_HEADER',
      message: expect.stringMatching(/^No sheet has the header row .*sheet "Students": empty; sheet "Instructions": missing columns/),
    });
  });

  it('first sheet "Students": the contract header in bold, frozen, and nothing else', () => {
    const ws = wb.worksheets[0];
    expect(ws.name).toBe('Students');
    expect(ws.getRow(1).values).toEqual([undefined, 'First name', 'Last name', 'Email', 'Password', 'Group', 'Department']);
    for (let c = 1; c <= 6; c++) expect(ws.getRow(1).getCell(c).font?.bold).toBe(true);
    expect(ws.actualRowCount).toBe(1);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('columns are text-formatted and wide enough', () => {
    const ws = wb.worksheets[0];
    for (let c = 1; c <= 6; c++) {
      expect(ws.getColumn(c).numFmt).toBe('@');
      expect(ws.getColumn(c).width).toBeGreaterThanOrEqual(15);
    }
  });

  it('second sheet "Instructions" explains each column and shows an example row', () => {
    const help = wb.worksheets[1];
    expect(help.name).toBe('Instructions');
    const rows: unknown[][] = [];
    help.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    const texts = rows.flat().join('\n');
    for (const label of ['First name', 'Last name', 'Email', 'Password', 'Group', 'Department']) expect(texts).toContain(label);
    expect(rows).toContainEqual(['Ada', 'Lovelace', 'ada.lovelace@school.example', '', 'L1-A', 'Mathematics']);
  });
});
