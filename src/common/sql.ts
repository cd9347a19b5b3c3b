import { Brackets, type EntityManager, type EntityTarget, type ObjectLiteral, type WhereExpressionBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/** Rows per multi-row statement: well under the placeholder limits of MySQL and SQLite. */
const ROWS_PER_STATEMENT = 1000;

export function isMysqlManager(em: EntityManager): boolean {
  const type = em.connection.options.type;
  return type === 'mysql' || type === 'mariadb';
}

/** A datetime parameter of a raw query, as each driver stores it (TypeORM's SQLite format is UTC text). */
export function sqlDate(em: EntityManager, d: Date): Date | string {
  return isMysqlManager(em) ? d : d.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Above this many bytes a long text goes as a string: its hex literal is twice its size, where
 * escaping adds about a tenth, and a big document should not take twice its share of
 * MariaDB's default max_allowed_packet (16 MiB).
 */
const LONG_TEXT_HEX_MAX_BYTES = 1024 * 1024;

/**
 * A long text parameter of a raw query (a JSON document of an import's rows, passwords or
 * results), written where {@link longTextPlaceholder} stands. On MySQL, its UTF-8 bytes:
 * mysql2 sends them as a hex literal, which the placeholder's `CONVERT(… USING utf8mb4)` reads
 * as the same characters, converted to the column's character set as a string would be (a
 * latin1 column refuses an emoji either way). Given the string, mysql2
 * escapes it character by character, with a string concatenation at every quote: 15–22 ms for
 * the 1 MB of JSON of 5,000 rows, against 5 ms as bytes. SQLite would store a Buffer as a
 * BLOB: the string there.
 */
export function longText(em: EntityManager, value: string): string | Buffer {
  // A string has at least as many UTF-8 bytes as UTF-16 units: one that long is not encoded for nothing.
  if (!isMysqlManager(em) || value.length > LONG_TEXT_HEX_MAX_BYTES) return value;
  const bytes = Buffer.from(value);
  return bytes.length > LONG_TEXT_HEX_MAX_BYTES ? value : bytes;
}

/** The placeholder of a {@link longText} parameter. */
export function longTextPlaceholder(em: EntityManager): string {
  return isMysqlManager(em) ? 'CONVERT(? USING utf8mb4)' : '?';
}

/** Bytes a statement's parameter may take on the wire, at most (for sizing multi-row statements). */
export function paramBytes(value: unknown): number {
  if (Buffer.isBuffer(value)) return 2 * value.length + 3;
  // Escaped UTF-8: up to 3 bytes a UTF-16 unit, and an escape character before some.
  if (typeof value === 'string') return 4 * value.length + 2;
  return 32;
}

/**
 * LIKE's escape character: `!`, named by `ESCAPE '!'` after each pattern. MySQL's default
 * (`\`) depends on its SQL mode, and SQLite has none: a `\_` there matched a backslash.
 */
export const LIKE_ESCAPE = "ESCAPE '!'";

/** `value` taken literally inside a LIKE pattern written with `LIKE_ESCAPE`. */
export function likeLiteral(value: string): string {
  return value.replace(/[!%_]/g, (c) => `!${c}`);
}

/** A datetime column of a raw query's row: mysql2 gives a `Date`, SQLite TypeORM's UTC text. */
export function rawDate(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(`${value.replace(' ', 'T')}Z`);
}

/**
 * INSERT of entity rows with nothing read back. On MySQL `em.insert` follows every
 * INSERT with a SELECT of the columns the database generated (a `createdAt` DEFAULT),
 * one more round trip that the hot paths (sign-in, audit entries) never use.
 */
export async function insertEntities<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  rows: QueryDeepPartialEntity<T> | QueryDeepPartialEntity<T>[],
): Promise<void> {
  await em.createQueryBuilder().insert().into(entity).values(rows).updateEntity(false).execute();
}

/**
 * Multi-row INSERT that leaves alone the rows a unique index already holds,
 * one statement per 1,000 rows. For set-based writes whose outcome is read
 * back afterwards. Only duplicates are skipped: not MySQL's INSERT IGNORE,
 * which also turns a too-long value, a missing foreign key or a NULL into a
 * warning and writes a truncated or defaulted row.
 */
export function insertSkippingDuplicates(em: EntityManager, table: string, columns: readonly string[], rows: unknown[][]): Promise<void> {
  const onDuplicate = isMysqlManager(em) ? ` ON DUPLICATE KEY UPDATE ${columns[0]} = ${columns[0]}` : ' ON CONFLICT DO NOTHING';
  return insertRows(em, table, columns, rows, onDuplicate);
}

/**
 * The parameters of a multi-row statement, row after row. `Array.prototype.flat` took
 * 1 ms for 1,000 rows of 13 values (V8's generic path); this loop takes 0.05.
 */
export function rowValues(rows: readonly (readonly unknown[])[]): unknown[] {
  const out: unknown[] = [];
  for (const row of rows) for (let i = 0; i < row.length; i++) out.push(row[i]);
  return out;
}

/**
 * Plain multi-row INSERT, one statement per 1,000 rows: any duplicate fails
 * the statement (and only the statement: MySQL and SQLite roll back the failed
 * statement, not the transaction around it).
 */
export async function insertRows(em: EntityManager, table: string, columns: readonly string[], rows: unknown[][], suffix = ''): Promise<void> {
  const tuple = `(${columns.map(() => '?').join(',')})`;
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    const part = rows.slice(i, i + ROWS_PER_STATEMENT);
    await em.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${part.map(() => tuple).join(',')}${suffix}`, rowValues(part));
  }
}

/** `SELECT … WHERE column IN (…)`, 1,000 values per statement, rows concatenated. */
export async function selectIn<T>(em: EntityManager, sql: (placeholders: string) => string, values: readonly unknown[], leading: unknown[] = []): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += ROWS_PER_STATEMENT) {
    const part = values.slice(i, i + ROWS_PER_STATEMENT);
    const rows: T[] = await em.query(sql(part.map(() => '?').join(',')), [...leading, ...part]);
    out.push(...rows);
  }
  return out;
}

/**
 * `(term₁) OR (term₂) OR …`, each term a conjunction written by `each` (its
 * parameters suffixed with the term's index so terms do not overwrite each
 * other's). A filter in disjunctive normal form, as directories send them.
 */
export function anyOf<T>(terms: readonly T[], each: (all: WhereExpressionBuilder, term: T, index: number) => void): Brackets {
  return new Brackets((any) => {
    terms.forEach((term, i) => {
      any.orWhere(
        new Brackets((all) => {
          all.where('1 = 1');
          each(all, term, i);
        }),
      );
    });
  });
}
