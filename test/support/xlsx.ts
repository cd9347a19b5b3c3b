import * as ExcelJS from 'exceljs';

export const HEADER = ['First name', 'Last name', 'Email', 'Password', 'Group', 'Department'];

export type Cell = ExcelJS.CellValue;

/** An .xlsx with one sheet: the header row then the given rows. */
export async function xlsx(rows: Cell[][], header: string[] = HEADER): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Students');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Reads every sheet's cells back as plain values (for checking downloads). */
export async function readXlsx(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** supertest parser: collect a binary body as a Buffer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function binary(res: any, done: (err: Error | null, body: any) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
  res.on('error', (e: Error) => done(e, Buffer.alloc(0)));
}
