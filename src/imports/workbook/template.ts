import { loadExcelJS } from './exceljs';
import { COLUMN_LABELS, ROW_FIELDS, RowField } from '../file/columns';

export const TEMPLATE_SHEET = 'Students';
export const INSTRUCTIONS_SHEET = 'Instructions';

const WIDTHS: Record<RowField, number> = {
  firstName: 20,
  lastName: 24,
  email: 34,
  password: 20,
  group: 16,
  department: 22,
};

const EXAMPLE: Record<RowField, string> = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada.lovelace@school.example',
  password: '',
  group: 'L1-A',
  department: 'Mathematics',
};

const HELP: Record<RowField, string> = {
  firstName: 'Required, at most 100 characters.',
  lastName: 'Required, at most 100 characters.',
  email: 'Required, one student per email. A student who already has an account is added to the institute; their password is left alone.',
  password: 'Optional, 8 to 128 characters, not a common password. Left empty, the student gets an email to choose one.',
  group: 'Optional, at most 100 characters (a class, a cohort).',
  department: 'Optional, at most 100 characters.',
};

/**
 * The import template: sheet "Students" with only the header row (bold, frozen)
 * and text-formatted columns, so Excel keeps what is typed (no numbers turned
 * into dates, no leading zeros dropped); sheet "Instructions" explains each
 * column with an example row. Only "Students" is read back: the example
 * header here comes after more than 10 non-empty rows, beyond the header search.
 */
export async function buildTemplate(): Promise<Buffer> {
  const ExcelJS = await loadExcelJS();
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Oktonine';
  wb.created = new Date(Date.UTC(2024, 0, 1));
  wb.modified = wb.created;

  const ws = wb.addWorksheet(TEMPLATE_SHEET, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = ROW_FIELDS.map((field) => ({
    header: COLUMN_LABELS[field],
    key: field,
    width: WIDTHS[field],
    style: { numFmt: '@' },
  }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.font = { bold: true };
    cell.numFmt = '@';
  });

  const help = wb.addWorksheet(INSTRUCTIONS_SHEET);
  help.getColumn(1).width = 16;
  help.getColumn(2).width = 100;
  help.addRow(['How to import students']).font = { bold: true, size: 14 };
  help.addRow([`Fill in the "${TEMPLATE_SHEET}" sheet (the first sheet of the workbook): one student per row, under the header row.`]);
  help.addRow(['Keep the header row. Columns may be in any order; extra columns are ignored. Empty rows are skipped.']);
  help.addRow([`Save as .xlsx, .ods or CSV UTF-8. The "${TEMPLATE_SHEET}" sheet is read (the first visible sheet with this header row); this one is ignored.`]);
  help.addRow([]);
  help.addRow(['Column', 'Rule']).font = { bold: true };
  for (const field of ROW_FIELDS) help.addRow([COLUMN_LABELS[field], HELP[field]]);
  help.addRow([]);
  help.addRow(['Example']).font = { bold: true };
  help.addRow(ROW_FIELDS.map((f) => COLUMN_LABELS[f])).font = { bold: true };
  help.addRow(ROW_FIELDS.map((f) => EXAMPLE[f]));

  return Buffer.from(await wb.xlsx.writeBuffer());
}
