import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash, randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth.types';
import { AppError } from '../common/errors/app-error';
import { decodeTimeCursor, encodeTimeCursor, Page, PageQueryDto } from '../common/pagination';
import { Transactions } from '../common/transactions';
import { importsConfig } from '../config/configuration';
import { JobQueue } from '../jobs/job-queue';
import { ImportAcceptedDto, ImportDetailDto, ImportSummaryDto } from './dto/import.dto';
import { ImportBatch, ImportStatus } from './entities/import-batch.entity';
import { ImportRow, RowFieldError, RowOutcome } from './entities/import-row.entity';
import { detectKind } from './file/file-guard';
import { validateRows } from './file/row-validator';
import { readImportRows } from './file/spreadsheet-reader';
import { ImportProcessor } from './import-processor.service';
import { IMPORT_CHUNK_JOB, ImportChunkJob } from './imports.constants';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

const MAX_ERRORS_SHOWN = 1000;
const INSERT_SLICE = 1000;

const clip = (value: string, max: number) => (value.length > max ? value.slice(0, max) : value);

/**
 * The upload side of a student import: checks and reads the file in the
 * request (so a bad file is a 400, not a failed batch), validates every row,
 * stores the rows in the database and queues one job per chunk of valid rows.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly tx: Transactions,
    private readonly jobs: JobQueue,
    private readonly audit: AuditService,
    private readonly processor: ImportProcessor,
    @Inject(importsConfig.KEY) private readonly config: ConfigType<typeof importsConfig>,
    @InjectRepository(ImportBatch) private readonly batches: Repository<ImportBatch>,
    @InjectRepository(ImportRow) private readonly rows: Repository<ImportRow>,
  ) {}

  async upload(instituteId: string, file: UploadedFile | undefined, dryRun: boolean, actor: AuthUser, ip: string | null): Promise<ImportAcceptedDto> {
    if (!file || !file.buffer) throw AppError.validation([{ field: 'file', message: 'file is required (multipart field "file")' }], 'No file uploaded');
    const kind = detectKind(file.buffer, file.originalname);
    const read = await readImportRows(file.buffer, kind, { maxRows: this.config.maxRows });
    if (!read.rows.length) throw AppError.badRequest('NO_ROWS', 'The file has a header row but no student rows');
    const { valid, errors } = validateRows(read.rows);

    const errorsByRow = new Map<number, RowFieldError[]>();
    for (const e of errors) {
      const list = errorsByRow.get(e.row) ?? [];
      list.push({ field: e.field, message: e.message });
      errorsByRow.set(e.row, list);
    }
    const validByRow = new Map(valid.map((v, i) => [v.row, { v, chunk: Math.floor(i / this.config.chunkRows) + 1 }]));
    const chunkCount = Math.ceil(valid.length / this.config.chunkRows);

    const batch = {
      id: randomUUID(),
      instituteId,
      uploadedById: actor.id,
      status: ImportStatus.Queued,
      dryRun,
      fileName: clip(file.originalname || 'upload', 255),
      fileSha256: createHash('sha256').update(file.buffer).digest('hex'),
      total: read.rows.length,
      // Rows refused by validation are done at once.
      processed: errorsByRow.size,
      failed: errorsByRow.size,
      chunkCount,
    };
    const rowValues = read.rows.map((r) => {
      const ok = validByRow.get(r.row);
      const rowErrors = errorsByRow.get(r.row) ?? null;
      return {
        batchId: batch.id,
        rowNumber: r.row,
        chunk: ok?.chunk ?? 0,
        firstName: clip(r.firstName, 200),
        lastName: clip(r.lastName, 200),
        email: clip(ok?.v.email ?? r.email, 320),
        emailKey: ok?.v.emailKey ?? null,
        // Plaintext only here, only until the row's chunk is done; never for a dry run.
        password: ok && !dryRun && r.password ? r.password : null,
        group: r.group ? clip(r.group, 200) : null,
        department: r.department ? clip(r.department, 200) : null,
        outcome: rowErrors ? RowOutcome.Failed : null,
        message: rowErrors ? clip(rowErrors.map((e) => `${e.field}: ${e.message}`).join('; '), 500) : null,
        errors: rowErrors,
        userId: null,
      };
    });

    const finished = await this.tx.run(async (em) => {
      await em.insert(ImportBatch, batch);
      for (let i = 0; i < rowValues.length; i += INSERT_SLICE) {
        await em.createQueryBuilder().insert().into(ImportRow).values(rowValues.slice(i, i + INSERT_SLICE)).updateEntity(false).execute();
      }
      await this.audit.record(
        {
          action: 'import.uploaded',
          actorId: actor.id,
          targetType: 'import',
          targetId: batch.id,
          instituteId,
          ip,
          details: { fileName: batch.fileName, rows: batch.total, invalid: batch.failed, dryRun, sha256: batch.fileSha256 },
        },
        em,
      );
      // Every row refused by validation: nothing to queue, the batch ends here.
      return chunkCount ? false : this.processor.completeIfDone(em, batch);
    });
    if (!chunkCount) await this.processor.afterUpload(batch, finished);
    if (chunkCount) {
      await this.jobs.enqueueMany<ImportChunkJob>(
        IMPORT_CHUNK_JOB,
        Array.from({ length: chunkCount }, (_, i) => ({ data: { batchId: batch.id, chunk: i + 1 }, options: { jobId: `${batch.id}:${i + 1}` } })),
      );
    }
    return { id: batch.id, status: finished ? ImportStatus.Completed : batch.status };
  }

  async list(instituteId: string, query: PageQueryDto): Promise<Page<ImportSummaryDto>> {
    const limit = query.limit ?? 20;
    const qb = this.batches.createQueryBuilder('b').where('b.instituteId = :instituteId', { instituteId });
    if (query.cursor) {
      const { createdAt: c, id } = decodeTimeCursor(query.cursor);
      qb.andWhere('b.createdAt <= :c AND (b.createdAt < :c OR b.id < :i)', { c, i: id });
    }
    const rows = await qb.orderBy('b.createdAt', 'DESC').addOrderBy('b.id', 'DESC').limit(limit + 1).getMany();
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(ImportSummaryDto.from), nextCursor: rows.length > limit && last ? encodeTimeCursor(last) : null };
  }

  /** Another institute's batch is 404, like an unknown one. */
  async get(instituteId: string, importId: string): Promise<ImportBatch> {
    const batch = await this.batches.findOneBy({ id: importId, instituteId });
    if (!batch) throw AppError.notFound('IMPORT_NOT_FOUND', 'Import not found');
    return batch;
  }

  async detail(instituteId: string, importId: string): Promise<ImportDetailDto> {
    const batch = await this.get(instituteId, importId);
    const failed = await this.rows
      .createQueryBuilder('r')
      .select(['r.rowNumber', 'r.errors', 'r.message'])
      .where('r.batchId = :id AND r.outcome = :failed', { id: batch.id, failed: RowOutcome.Failed })
      .orderBy('r.rowNumber', 'ASC')
      .limit(MAX_ERRORS_SHOWN)
      .getMany();
    const errors = failed
      .flatMap((r) => (r.errors?.length ? r.errors : [{ field: 'row', message: r.message ?? 'failed' }]).map((e) => ({ row: r.rowNumber, field: e.field, message: e.message })))
      .slice(0, MAX_ERRORS_SHOWN);
    return { ...ImportSummaryDto.from(batch), errors };
  }

  /** Every data row with its outcome, in row order, read page by page (never the password). */
  async *reportRows(batchId: string) {
    let after = 0;
    for (;;) {
      const page = await this.rows
        .createQueryBuilder('r')
        .where('r.batchId = :batchId AND r.rowNumber > :after', { batchId, after })
        .orderBy('r.rowNumber', 'ASC')
        .limit(2000)
        .getMany();
      for (const r of page) {
        yield {
          row: r.rowNumber,
          firstName: r.firstName,
          lastName: r.lastName,
          email: r.email,
          group: r.group ?? '',
          department: r.department ?? '',
          outcome: r.outcome ?? 'pending',
          message: r.message ?? '',
        };
      }
      if (page.length < 2000) return;
      after = page[page.length - 1].rowNumber;
    }
  }
}
