import { Column, Entity, PrimaryColumn } from 'typeorm';

export enum RowOutcome {
  Created = 'created',
  Attached = 'attached',
  Skipped = 'skipped',
  Failed = 'failed',
}

export interface RowFieldError {
  field: string;
  message: string;
}

/** A data row as uploaded (numbered as in the spreadsheet), without its password. */
export interface StoredRow {
  row: number;
  firstName: string;
  lastName: string;
  email: string;
  /** Normalised email of a valid row; null on rows refused by validation. */
  emailKey: string | null;
  group: string | null;
  department: string | null;
}

/** What became of a row: the report's line. */
export interface RowResult {
  row: number;
  outcome: RowOutcome;
  message: string;
  userId?: string | null;
  errors?: RowFieldError[];
}

/**
 * A slice of an upload. Chunks 0, -1, -2… hold the rows validation refused
 * (done at upload, with their results); chunks 1..n the valid rows, processed
 * by one job each. Each holds at most IMPORT_CHUNK_ROWS rows. `passwords`
 * (aligned with `rows`) exists only until the chunk is done.
 */
@Entity('import_chunks')
export class ImportChunk {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  batchId: string;

  @PrimaryColumn({ type: 'int' })
  chunk: number;

  @Column({ type: 'int', default: 0 })
  rowCount: number;

  @Column({ type: 'boolean', default: false })
  done: boolean;

  /** The welcome mails of this chunk's students are recorded (queued) once its batch ended. */
  @Column({ type: 'boolean', default: false })
  mailed: boolean;

  /** Column `data`: ROWS is a reserved word in MySQL 8. */
  @Column({ name: 'data', type: 'simple-json' })
  rows: StoredRow[];

  @Column({ type: 'simple-json', nullable: true, select: false })
  passwords: Array<string | null> | null;

  @Column({ type: 'simple-json', nullable: true })
  results: RowResult[] | null;
}
