import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

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

/**
 * One data row of an upload, numbered as in the spreadsheet. `outcome` is null
 * until its chunk is processed; `password` exists only until then.
 */
@Entity('import_rows')
@Index('IDX_import_rows_batch_chunk', ['batchId', 'chunk', 'rowNumber'])
export class ImportRow {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  batchId: string;

  @PrimaryColumn({ type: 'int' })
  rowNumber: number;

  @Column({ type: 'int', default: 0 })
  chunk: number;

  @Column({ type: 'varchar', length: 200 })
  firstName: string;

  @Column({ type: 'varchar', length: 200 })
  lastName: string;

  @Column({ type: 'varchar', length: 320 })
  email: string;

  /** The normalised email of a valid row; null on rows that failed validation. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  emailKey: string | null;

  @Column({ type: 'varchar', length: 1024, nullable: true, select: false })
  password: string | null;

  @Column({ name: 'groupName', type: 'varchar', length: 200, nullable: true })
  group: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  department: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome: RowOutcome | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  message: string | null;

  @Column({ type: 'simple-json', nullable: true })
  errors: RowFieldError[] | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;
}
