import { foldText } from '../../common/text';

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

export interface HeaderMatch {
  map: HeaderMap;
  /** Required fields without a column. */
  missing: RowField[];
  /** Fields with more than one column. */
  twice: RowField[];
  /** How many fields the row names. */
  found: number;
}

/** Which fields a row of texts (by 0-based column) names, in any column order; unknown texts are ignored. */
export function matchHeader(cells: readonly string[]): HeaderMatch {
  const map: HeaderMap = {};
  const twice: RowField[] = [];
  cells.forEach((text, index) => {
    const field = text ? fieldOfHeader(text) : undefined;
    if (!field) return;
    if (map[field] === undefined) map[field] = index;
    else if (!twice.includes(field)) twice.push(field);
  });
  return { map, twice, missing: REQUIRED_FIELDS.filter((f) => map[f] === undefined), found: Object.keys(map).length };
}

/** "First name", "Email": how messages name fields. */
export const quoted = (fields: readonly RowField[]) => fields.map((f) => `"${COLUMN_LABELS[f]}"`).join(', ');
