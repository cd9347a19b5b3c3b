/** FROZEN BASELINE (see reader.ts): src/imports/file/columns.ts as it was before issue 12. */
import { AppError } from '../../src/common/errors/app-error';
import { foldText } from '../../src/common/text';

/** The fields of an import row, named as in the API's JSON. */
export const ROW_FIELDS = ['firstName', 'lastName', 'email', 'password', 'group', 'department'] as const;
export type RowField = (typeof ROW_FIELDS)[number];

/** The header of the template and of the report: the contract's column names. */
export const COLUMN_LABELS: Readonly<Record<RowField, string>> = Object.freeze({
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  password: 'Password',
  group: 'Group',
  department: 'Department',
});

export const REQUIRED_FIELDS: readonly RowField[] = ['firstName', 'lastName', 'email'];

/** Accepted header texts, English and French; compared folded (see {@link headerKey}). */
export const HEADER_ALIASES: Readonly<Record<RowField, readonly string[]>> = Object.freeze({
  firstName: ['First name', 'Firstname', 'Given name', 'Prénom'],
  lastName: ['Last name', 'Lastname', 'Surname', 'Family name', 'Nom', 'Nom de famille'],
  email: ['Email', 'E-mail', 'Email address', 'Mail', 'Courriel', 'Adresse e-mail', 'Adresse mail', 'Adresse électronique'],
  password: ['Password', 'Mot de passe'],
  group: ['Group', 'Groupe', 'Classe', 'Class'],
  department: ['Department', 'Département', 'Service', 'Filière'],
});

/**
 * A header text reduced for matching: whatever is in brackets dropped
 * ("Email (required)"), accents, case, spaces and punctuation ignored.
 * "Adresse E-mail" → "adresseemail".
 */
export function headerKey(text: string): string {
  return foldText(text.replace(/\([^)]*\)|\[[^\]]*\]/g, ' ')).replace(/ /g, '');
}

const FIELD_BY_KEY: ReadonlyMap<string, RowField> = new Map(
  ROW_FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias) => [headerKey(alias), field] as const)),
);

/** The field a header text stands for, if any. */
export function fieldOfHeader(text: string): RowField | undefined {
  return FIELD_BY_KEY.get(headerKey(text));
}

/** Field → 0-based column index in the row. */
export type HeaderMap = Partial<Record<RowField, number>>;

/** "A", "B", … "AA": how a spreadsheet names a 0-based column index. */
export function columnLetter(index: number): string {
  let n = index + 1;
  let s = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    s = String.fromCharCode(65 + r) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
}

const quoted = (fields: RowField[]) => fields.map((f) => `"${COLUMN_LABELS[f]}"`).join(', ');

/**
 * Maps a header row (texts by 0-based column) to the fields, in any column order.
 * Unknown columns are ignored. Throws 400 INVALID_HEADER when a required column
 * is missing or a field's column appears twice.
 */
export function matchHeader(cells: readonly string[]): HeaderMap {
  const map: HeaderMap = {};
  const twice: RowField[] = [];
  cells.forEach((text, index) => {
    if (!text) return;
    const field = fieldOfHeader(text);
    if (!field) return;
    if (map[field] !== undefined) {
      if (!twice.includes(field)) twice.push(field);
      return;
    }
    map[field] = index;
  });
  const missing = REQUIRED_FIELDS.filter((f) => map[f] === undefined);
  if (missing.length) {
    throw AppError.badRequest(
      'INVALID_HEADER',
      `Missing column${missing.length > 1 ? 's' : ''} ${quoted(missing)}`,
      missing.map((f) => ({ field: COLUMN_LABELS[f], message: 'column is missing' })),
    );
  }
  if (twice.length) {
    throw AppError.badRequest(
      'INVALID_HEADER',
      `Column${twice.length > 1 ? 's' : ''} ${quoted(twice)} appear${twice.length > 1 ? '' : 's'} more than once`,
      twice.map((f) => ({ field: COLUMN_LABELS[f], message: 'column appears more than once' })),
    );
  }
  return map;
}
