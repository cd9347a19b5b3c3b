import { QueryRunner, TableColumnOptions, TableForeignKeyOptions } from 'typeorm';

/**
 * Column builders shared by migrations, so one migration runs unchanged on
 * MySQL/MariaDB and on the embedded SQLite. Only defaults and blob types differ.
 */
export function isMysql(qr: QueryRunner): boolean {
  return qr.connection.options.type === 'mysql' || qr.connection.options.type === 'mariadb';
}

/** SQLite's current time to the millisecond, in the text form TypeORM writes a `Date` in. */
export const SQLITE_NOW = "strftime('%Y-%m-%d %H:%M:%f','now')";

export function nowDefault(qr: QueryRunner): string {
  return isMysql(qr) ? 'CURRENT_TIMESTAMP(3)' : `(${SQLITE_NOW})`;
}

export const idColumn = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });

export const uuidRef = (name: string, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable: nullable });

export const varchar = (name: string, length: number, opts: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: false,
  ...opts,
});

export const datetime = (name: string, nullable = true): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable });

export const intColumn = (name: string, defaultValue = 0): TableColumnOptions => ({ name, type: 'int', isNullable: false, default: defaultValue });

export const boolColumn = (name: string, defaultValue = false): TableColumnOptions => ({
  name,
  type: 'boolean',
  isNullable: false,
  default: defaultValue ? 1 : 0,
});

export const textColumn = (qr: QueryRunner, name: string, nullable = true): TableColumnOptions => ({
  name,
  type: isMysql(qr) ? 'mediumtext' : 'text',
  isNullable: nullable,
});

export function timestamps(qr: QueryRunner, withUpdated = true): TableColumnOptions[] {
  const cols: TableColumnOptions[] = [{ name: 'createdAt', type: 'datetime', precision: 3, isNullable: false, default: nowDefault(qr) }];
  if (withUpdated) {
    cols.push({
      name: 'updatedAt',
      type: 'datetime',
      precision: 3,
      isNullable: false,
      default: nowDefault(qr),
      ...(isMysql(qr) ? { onUpdate: 'CURRENT_TIMESTAMP(3)' } : {}),
    });
  }
  return cols;
}

/** Constraint names are unique per MySQL schema, so they carry the owning table. */
export const fk = (
  table: string,
  column: string,
  referencedTable: string,
  onDelete: 'CASCADE' | 'SET NULL' | 'RESTRICT' = 'CASCADE',
): TableForeignKeyOptions => ({
  name: `FK_${table}_${column}`,
  columnNames: [column],
  referencedTableName: referencedTable,
  referencedColumnNames: ['id'],
  onDelete,
});
