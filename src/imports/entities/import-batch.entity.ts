import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';
import type { IgnoredRow } from '../file/spreadsheet-reader';

export enum ImportStatus {
  Queued = 'queued',
  Processing = 'processing',
  Completed = 'completed',
  Failed = 'failed',
}

@Entity('import_batches')
@Index('IDX_import_batches_institute_created', ['instituteId', 'createdAt'])
@Index('IDX_import_batches_retention', ['purgedAt', 'finishedAt'])
export class ImportBatch extends BaseEntity {
  @Column({ type: 'varchar', length: 36 })
  instituteId: string;

  @Column({ type: 'varchar', length: 36, nullable: true })
  uploadedById: string | null;

  @Column({ type: 'varchar', length: 16, default: ImportStatus.Queued })
  status: ImportStatus;

  @Column({ type: 'boolean', default: false })
  dryRun: boolean;

  @Column({ type: 'varchar', length: 255 })
  fileName: string;

  @Column({ type: 'varchar', length: 64 })
  fileSha256: string;

  @Column({ type: 'int', default: 0 })
  total: number;

  @Column({ type: 'int', default: 0 })
  processed: number;

  /** How many chunk jobs the rows were split into. */
  @Column({ type: 'int', default: 0 })
  chunkCount: number;

  @Column({ type: 'int', default: 0 })
  created: number;

  @Column({ type: 'int', default: 0 })
  attached: number;

  @Column({ type: 'int', default: 0 })
  skipped: number;

  @Column({ type: 'int', default: 0 })
  failed: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  failureReason: string | null;

  /** The sheet that was read (null for CSV). */
  @Column({ type: 'varchar', length: 255, nullable: true })
  sheetName: string | null;

  @Column({ type: 'int', nullable: true })
  headerRow: number | null;

  /** Non-empty rows above the header, skipped: `[{ row, text }]`. */
  @Column({ type: 'simple-json', nullable: true })
  ignoredRows: IgnoredRow[] | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  startedAt: Date | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  finishedAt: Date | null;

  /** When the retention job purged the row data (IMPORT_RETENTION_DAYS after `finishedAt`); the report is gone. */
  @Column({ type: 'datetime', precision: 3, nullable: true })
  purgedAt: Date | null;
}
