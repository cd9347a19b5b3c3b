import { fixture } from '../../test/fixtures/helpers';
import { ROW_FIELDS, UNSAVED_FORMULA, validateRows } from './row-validator';
import { ImportRow, readImportRows } from './file/spreadsheet-reader';

const row = (r: Partial<ImportRow> & { row: number }): ImportRow => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: `student${r.row}@example.com`,
  password: '',
  group: '',
  department: '',
  ...r,
});

describe('validateRows', () => {
  it('ROW_FIELDS are the API field names', () => {
    expect(ROW_FIELDS).toEqual(['firstName', 'lastName', 'email', 'password', 'group', 'department']);
  });

  it('duplicates.xlsx: later rows with the same email (any case, spaces) are "duplicate of row N"', async () => {
    const { rows } = await readImportRows(fixture('duplicates.xlsx'), 'xlsx', { maxRows: 100 });
    const { valid, errors } = validateRows(rows);
    expect(errors).toEqual([
      { row: 3, field: 'email', message: 'duplicate of row 2' },
      { row: 4, field: 'email', message: 'duplicate of row 2' },
      { row: 6, field: 'email', message: 'duplicate of row 5' },
      // invalid addresses are not compared: each is its own error
      { row: 7, field: 'email', message: 'is not a valid email address' },
      { row: 8, field: 'email', message: 'is not a valid email address' },
    ]);
    expect(valid.map((v) => [v.row, v.email, v.emailKey])).toEqual([
      [2, 'ada@example.com', 'ada@example.com'],
      [5, 'bob@example.com', 'bob@example.com'],
    ]);
  });

  it('a valid row keeps its values, its email without spaces, and gets the lower-case key', () => {
    const r = row({ row: 7, email: 'Ada.Lovelace @Example.ORG', password: 'correct horse battery', group: 'L1', department: 'Maths' });
    expect(validateRows([r])).toEqual({
      valid: [{ ...r, email: 'Ada.Lovelace@Example.ORG', emailKey: 'ada.lovelace@example.org' }],
      errors: [],
    });
  });

  it('names are required and at most 100 characters (counted in code points)', () => {
    const { valid, errors } = validateRows([
      row({ row: 2, firstName: '', lastName: '' }),
      row({ row: 3, firstName: 'é'.repeat(100), lastName: '😀'.repeat(100) }),
      row({ row: 4, firstName: 'a'.repeat(101), lastName: '😀'.repeat(101) }),
    ]);
    expect(valid.map((v) => v.row)).toEqual([3]);
    expect(errors).toEqual([
      { row: 2, field: 'firstName', message: 'is required' },
      { row: 2, field: 'lastName', message: 'is required' },
      { row: 4, field: 'firstName', message: 'must be at most 100 characters' },
      { row: 4, field: 'lastName', message: 'must be at most 100 characters' },
    ]);
  });

  it('email: required, valid syntax (as the DTOs check it), at most 254 characters', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`; // 258
    const { errors } = validateRows([
      row({ row: 2, email: '' }),
      row({ row: 3, email: 'ada@' }),
      row({ row: 4, email: 'ada@example' }),
      row({ row: 5, email: 'mailto:ada@example.com' }),
      row({ row: 6, email: long }),
      row({ row: 7, email: 'ada.o+tag@sub.example.co.uk' }),
      // 252 characters as typed, 312 once lower-cased ('İ' → 'i' + U+0307): too long to store.
      row({ row: 8, email: `${'İ'.repeat(60)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com` }),
    ]);
    expect(errors).toEqual([
      { row: 2, field: 'email', message: 'is required' },
      { row: 3, field: 'email', message: 'is not a valid email address' },
      { row: 4, field: 'email', message: 'is not a valid email address' },
      { row: 5, field: 'email', message: 'is not a valid email address' },
      { row: 6, field: 'email', message: 'must be at most 254 characters' },
      { row: 8, field: 'email', message: 'must be at most 254 characters' },
    ]);
  });

  it('password: optional, but when given it passes the password policy', () => {
    const { valid, errors } = validateRows([
      row({ row: 2, password: '' }),
      row({ row: 3, password: 'short' }),
      row({ row: 4, password: 'password123' }),
      row({ row: 5, email: 'grace.hopper@example.com', password: 'Grace.Hopper' }),
      row({ row: 6, password: 'Tr0mb0ne-Violet' }),
    ]);
    expect(valid.map((v) => v.row)).toEqual([2, 6]);
    expect(errors).toEqual([
      { row: 3, field: 'password', message: 'must be at least 8 characters' },
      { row: 4, field: 'password', message: 'is too common; choose a less predictable password' },
      { row: 5, field: 'password', message: 'must not be your email address' },
    ]);
  });

  it('group and department: optional, at most 100 characters', () => {
    const { errors } = validateRows([
      row({ row: 2, group: 'g'.repeat(100), department: 'd'.repeat(100) }),
      row({ row: 3, group: 'g'.repeat(101), department: 'd'.repeat(101) }),
    ]);
    expect(errors).toEqual([
      { row: 3, field: 'group', message: 'must be at most 100 characters' },
      { row: 3, field: 'department', message: 'must be at most 100 characters' },
    ]);
  });

  it('one error per field, several per row; a row with any error is not valid', () => {
    const { valid, errors } = validateRows([row({ row: 9, firstName: '', email: 'nope', password: 'abc', group: 'x'.repeat(200) })]);
    expect(valid).toEqual([]);
    expect(errors.map((e) => e.field)).toEqual(['firstName', 'email', 'password', 'group']);
    expect(errors.every((e) => e.row === 9)).toBe(true);
  });

  it('the first occurrence is kept even when it has other errors', () => {
    const { valid, errors } = validateRows([row({ row: 2, firstName: '', email: 'same@example.com' }), row({ row: 3, email: 'SAME@example.com' })]);
    expect(valid).toEqual([]);
    expect(errors).toEqual([
      { row: 2, field: 'firstName', message: 'is required' },
      { row: 3, field: 'email', message: 'duplicate of row 2' },
    ]);
  });

  it('openpyxl-formulas.xlsx: a formula with no saved value fails its row with that reason, not "is required"', async () => {
    const { rows } = await readImportRows(fixture('openpyxl-formulas.xlsx'), 'xlsx', { maxRows: 10 });
    const { valid, errors } = validateRows(rows);
    expect(valid.map((r) => r.row)).toEqual([3]);
    expect(errors).toEqual([
      { row: 2, field: 'email', message: UNSAVED_FORMULA },
      { row: 4, field: 'group', message: UNSAVED_FORMULA },
    ]);
    expect(UNSAVED_FORMULA).toMatch(/formula with no saved value.*save it again/);
  });

  it('an unsaved formula keeps the row’s other errors', () => {
    const { errors } = validateRows([row({ row: 5, firstName: '', email: '', unsaved: ['email'] })]);
    expect(errors).toEqual([
      { row: 5, field: 'email', message: UNSAVED_FORMULA },
      { row: 5, field: 'firstName', message: 'is required' },
    ]);
  });
});
