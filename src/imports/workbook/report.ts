import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { loadExcelJS } from './exceljs';

/** One line of the report: a data row of the upload and what became of it. Never a password. */
export interface ReportRow {
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  group: string;
  department: string;
  outcome: string;
  message: string;
}

export const REPORT_COLUMNS: ReadonlyArray<{ key: keyof ReportRow; header: string; width: number }> = [
  { key: 'row', header: 'Row', width: 8 },
  { key: 'firstName', header: 'First name', width: 20 },
  { key: 'lastName', header: 'Last name', width: 24 },
  { key: 'email', header: 'Email', width: 34 },
  { key: 'group', header: 'Group', width: 16 },
  { key: 'department', header: 'Department', width: 22 },
  { key: 'outcome', header: 'Outcome', width: 12 },
  { key: 'message', header: 'Message', width: 60 },
];

/**
 * OWASP "CSV injection": a text that a spreadsheet could take for a formula
 * (starting with = + - @, tab, CR or LF) gets a leading apostrophe, so it stays
 * text even once the report is saved as CSV and opened again.
 */
export function escapeCell(value: string): string {
  return /^[=+\-@\t\r\n]/.test(value) ? `'${value}` : value;
}

/** Empty values stay blank cells. */
const text = (value: string | number | null | undefined): string | null => {
  const s = value === null || value === undefined ? '' : String(value);
  return s === '' ? null : escapeCell(s);
};

/**
 * The import report (.xlsx): Row, First name, Last name, Email, Group,
 * Department, Outcome, Message. Written with exceljs's streaming writer, row by
 * row, so a 50,000-row report does not build a workbook in memory first. Only
 * these columns are written, whatever else the row objects carry.
 */
export async function buildReport(rows: Iterable<ReportRow> | AsyncIterable<ReportRow>): Promise<Buffer> {
  const ExcelJS = await loadExcelJS();
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = finished(stream);

  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useSharedStrings: true, useStyles: true });
  wb.creator = 'Oktonine';
  const ws = wb.addWorksheet('Report', { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = REPORT_COLUMNS.map(({ key, width }) => ({ key, width }));
  const header = ws.addRow(REPORT_COLUMNS.map((c) => c.header));
  header.font = { bold: true };
  header.commit();

  for await (const r of rows) {
    ws.addRow([
      Number(r.row),
      text(r.firstName),
      text(r.lastName),
      text(r.email),
      text(r.group),
      text(r.department),
      text(r.outcome),
      text(r.message),
    ]).commit();
  }
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}
