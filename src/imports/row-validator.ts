import { passwordProblem } from '../common/password-policy';
import { isEmailAddress, normalizeEmail } from '../users/email';
import { RowField, ROW_FIELDS } from './file/columns';
import type { ImportRow } from './file/spreadsheet-reader';

export { ROW_FIELDS };
export type { RowField };

export interface RowError {
  row: number;
  /** The API's field name: firstName, lastName, email, password, group, department. */
  field: string;
  message: string;
}

/** A row that passed every rule; `emailKey` is how emails are compared and stored. */
export type ValidRow = ImportRow & { emailKey: string };

export interface ValidationResult {
  valid: ValidRow[];
  errors: RowError[];
}

/** A cell whose formula was never computed (openpyxl and other libraries write formulas without results). */
export const UNSAVED_FORMULA = 'the cell holds a formula with no saved value: open the file in Excel or LibreOffice and save it again';

/** The same limits as the columns they end up in (users, memberships) and the DTOs. */
export const ROW_LIMITS = Object.freeze({ name: 100, email: 254, group: 100, department: 100 });

/** Length in code points; a string no longer in UTF-16 units than `max` needs no counting. */
const tooLong = (s: string, max: number) => s.length > max && [...s].length > max;

/** An email as typed, with every space gone (no address has one; spreadsheets add them). */
function compactEmail(email: string): string {
  return email.replace(/[\s\u200b-\u200d\u2060]+/g, '');
}

/**
 * Checks each row on its own (names, email syntax, password policy, lengths;
 * at most one error per field, several per row) and then the file as a whole:
 * an email already used by an earlier row (ignoring case and spaces) is an error
 * "duplicate of row N", the first occurrence is kept. Rows are returned in file
 * order; `valid` rows carry their email without spaces and the lower-case key.
 */
export function validateRows(rows: readonly ImportRow[]): ValidationResult {
  const valid: ValidRow[] = [];
  const errors: RowError[] = [];
  const firstRowOfEmail = new Map<string, number>();

  for (const row of rows) {
    const rowErrors: RowError[] = [];
    const fail = (field: RowField, message: string) => rowErrors.push({ row: row.row, field, message });

    for (const field of ['firstName', 'lastName'] as const) {
      if (!row[field]) fail(field, 'is required');
      else if (tooLong(row[field], ROW_LIMITS.name)) fail(field, `must be at most ${ROW_LIMITS.name} characters`);
    }

    const email = compactEmail(row.email ?? '');
    const normalized = normalizeEmail(email);
    let emailKey: string | null = null;
    if (!email) fail('email', 'is required');
    // The stored form is what must fit: lower-casing can lengthen it ('İ' becomes 'i' + a combining dot).
    else if (tooLong(normalized, ROW_LIMITS.email)) fail('email', `must be at most ${ROW_LIMITS.email} characters`);
    else if (!isEmailAddress(email)) fail('email', 'is not a valid email address');
    else {
      emailKey = normalized;
      const first = firstRowOfEmail.get(emailKey);
      if (first !== undefined) fail('email', `duplicate of row ${first}`);
      else firstRowOfEmail.set(emailKey, row.row);
    }

    if (row.password) {
      const problem = passwordProblem(row.password, email || null);
      if (problem) fail('password', problem);
    }

    if (tooLong(row.group ?? '', ROW_LIMITS.group)) fail('group', `must be at most ${ROW_LIMITS.group} characters`);
    if (tooLong(row.department ?? '', ROW_LIMITS.department)) {
      fail('department', `must be at most ${ROW_LIMITS.department} characters`);
    }

    if (row.unsaved?.length) {
      // An unsaved formula reads as empty: say why instead of "is required".
      const unsaved = new Set<string>(row.unsaved);
      const others = rowErrors.filter((e) => !unsaved.has(e.field));
      rowErrors.splice(0, rowErrors.length, ...row.unsaved.map((field) => ({ row: row.row, field, message: UNSAVED_FORMULA })), ...others);
    }
    if (rowErrors.length) errors.push(...rowErrors);
    else valid.push({ ...row, email, emailKey: emailKey! });
  }
  return { valid, errors };
}
