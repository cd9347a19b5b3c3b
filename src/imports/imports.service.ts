import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { EntityManager, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthUser } from '../auth/auth.types';
import { AppError } from '../common/errors/app-error';
import { keysetPage, Page, PageQueryDto } from '../common/pagination';
import { longText, longTextPlaceholder, paramBytes, rowValues } from '../common/sql';
import { Transactions } from '../common/transactions';
import { importsConfig } from '../config/configuration';
import { JobQueue } from '../jobs/job-queue';
import { ImportAcceptedDto, ImportDetailDto, ImportSummaryDto } from './dto/import.dto';
import { ImportBatch, ImportStatus } from './entities/import-batch.entity';
import { ImportChunk, RowFieldError, RowOutcome, RowResult, StoredRow } from './entities/import-chunk.entity';
import { ReportRow } from './workbook/report';
import type { ImportRow as ParsedRow } from './file/spreadsheet-reader';
import { detectKind } from './file/file-guard';
import { validateRows } from './row-validator';
import { readImportRows } from './file/spreadsheet-reader';
import { ImportMetrics } from './import-metrics';
import { ImportJobsService } from './import-jobs.service';
import { IMPORT_CHUNK_JOB } from './imports.constants';
import { newId } from '../common/ids';

export interface UploadedFile {
  originalname: string;
  buffer: Buffer;
  size: number;
}

const MAX_ERRORS_SHOWN = 1000;
/** import_chunks rows per INSERT: few round trips, and only these chunks' JSON in memory at once (and the next one's). */
const CHUNKS_PER_INSERT = 5;
/**
 * And bytes per INSERT: a chunk that would take a statement past this goes in the next one, so
 * that statements of several chunks stay far under MariaDB's default max_allowed_packet
 * (16 MiB). A chunk's documents, alone, are bounded by its row count (IMPORT_CHUNK_ROWS, valid
 * or refused) times the clipped length of a row.
 */
const BYTES_PER_INSERT = 4 * 1024 * 1024;
/**
 * Refused rows per chunk, at most (IMPORT_CHUNK_ROWS if smaller). Their cells are only clipped
 * (up to 1,120 characters a row), and a backslash or a control character takes 2–6 in JSON
 * and more as an escaped string: 1,000 such rows stay under 16 MiB in one statement.
 */
const REFUSED_CHUNK_ROWS = 1000;

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
    private readonly processor: ImportJobsService,
    private readonly importMetrics: ImportMetrics,
    @Inject(importsConfig.KEY) private readonly config: ConfigType<typeof importsConfig>,
    @InjectRepository(ImportBatch) private readonly batches: Repository<ImportBatch>,
    @InjectRepository(ImportChunk) private readonly chunks: Repository<ImportChunk>,
  ) {}

  async upload(instituteId: string, file: UploadedFile | undefined, dryRun: boolean, actor: AuthUser, ip: string | null): Promise<ImportAcceptedDto> {
    if (!file || !file.buffer) throw AppError.validation([{ field: 'file', message: 'file is required (multipart field "file")' }], 'No file uploaded');
    const kind = await detectKind(file.buffer, file.originalname);
    const read = await readImportRows(file.buffer, kind, { maxRows: this.config.maxRows });
    if (!read.rows.length) throw AppError.badRequest('NO_ROWS', 'The file has a header row but no student rows');
    const { valid, errors } = validateRows(read.rows);

    const errorsByRow = new Map<number, RowFieldError[]>();
    for (const e of errors) {
      const list = errorsByRow.get(e.row) ?? [];
      list.push({ field: e.field, message: e.message });
      errorsByRow.set(e.row, list);
    }
    const refused = errorsByRow.size ? read.rows.filter((r) => errorsByRow.has(r.row)) : [];
    const total = read.rows.length;
    // From here on only `valid` and `refused` are needed: the parsed rows can go (50,000 rows are tens of MB).
    read.rows = [];
    const size = this.config.chunkRows;
    const chunkCount = Math.ceil(valid.length / size);
    // Refused rows go in chunks numbered 0, -1, -2…: at least chunk 0, even empty.
    const refusedSize = Math.min(size, REFUSED_CHUNK_ROWS);
    const refusedChunks = Math.max(1, Math.ceil(refused.length / refusedSize));
    const batch = {
      id: newId(),
      instituteId,
      uploadedById: actor.id,
      status: ImportStatus.Queued,
      dryRun,
      fileName: clip(file.originalname || 'upload', 255),
      fileSha256: createHash('sha256').update(file.buffer).digest('hex'),
      total,
      sheetName: read.sheetName ? clip(read.sheetName, 255) : null,
      headerRow: read.headerRow,
      ignoredRows: read.ignoredRows,
      // Rows refused by validation are done at once.
      processed: errorsByRow.size,
      failed: errorsByRow.size,
      chunkCount,
    };
    const stored = (r: ParsedRow, emailKey: string | null): StoredRow => ({
      row: r.row,
      firstName: clip(r.firstName, 200),
      lastName: clip(r.lastName, 200),
      email: clip(r.email, 320),
      emailKey,
      group: r.group ? clip(r.group, 200) : null,
      department: r.department ? clip(r.department, 200) : null,
    });
    /**
     * The values of chunk `c`'s row in import_chunks (0 and below: refused rows, done at once
     * with their results). Built when its INSERT is, so that only a few chunks' JSON exist at a
     * time, not the whole file's.
     */
    const chunkValues = (em: EntityManager, c: number): unknown[] => {
      const json = (value: unknown) => longText(em, JSON.stringify(value));
      if (c <= 0) {
        const slice = refused.slice(-c * refusedSize, (1 - c) * refusedSize);
        return [batch.id, c, slice.length, 1, json(slice.map((r) => stored(r, null))), null, slice.length ? json(refusedResults(slice)) : null];
      }
      const slice = valid.slice((c - 1) * size, c * size);
      // Plaintext only here, only until the chunk is done; never for a dry run.
      const passwords = dryRun || !slice.some((v) => v.password) ? null : json(slice.map((v) => v.password || null));
      return [batch.id, c, slice.length, 0, json(slice.map((v) => stored(v, v.emailKey))), passwords, null];
    };
    const refusedResults = (rows: ParsedRow[]): RowResult[] =>
      rows.map((r) => {
        const rowErrors = errorsByRow.get(r.row)!;
        return { row: r.row, outcome: RowOutcome.Failed, message: clip(rowErrors.map((e) => `${e.field}: ${e.message}`).join('; '), 500), errors: rowErrors };
      });

    const finished = await this.tx.run(async (em) => {
      await em.insert(ImportBatch, batch);
      // Plain multi-row INSERTs of a few chunks each: the rows are already JSON, TypeORM's entity pass would only slow this down.
      const text = longTextPlaceholder(em);
      const insert = (rows: unknown[][]) =>
        em.query(
          `INSERT INTO import_chunks (batchId, chunk, rowCount, done, data, passwords, results) VALUES ${rows.map(() => `(?,?,?,?,${text},${text},${text})`).join(',')}`,
          rowValues(rows),
        );
      let pending: unknown[][] = [];
      let pendingBytes = 0;
      for (let c = 1 - refusedChunks; c <= chunkCount; c++) {
        const values = chunkValues(em, c);
        const bytes = values.reduce((n: number, v) => n + paramBytes(v), 0);
        if (pending.length && (pending.length >= CHUNKS_PER_INSERT || pendingBytes + bytes > BYTES_PER_INSERT)) {
          await insert(pending);
          [pending, pendingBytes] = [[], 0];
        }
        pending.push(values);
        pendingBytes += bytes;
      }
      await insert(pending);
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
      return chunkCount ? null : this.processor.completeIfDone(em, batch);
    });
    this.importMetrics.count({ [RowOutcome.Failed]: batch.failed }, dryRun);
    if (!chunkCount) await this.processor.afterCommit(batch, finished);
    if (chunkCount) {
      await this.jobs.enqueueMany(
        IMPORT_CHUNK_JOB,
        Array.from({ length: chunkCount }, (_, i) => ({ data: { batchId: batch.id, chunk: i + 1 }, options: { jobId: `${batch.id}:${i + 1}` } })),
      );
    }
    return { id: batch.id, status: finished ? ImportStatus.Completed : batch.status };
  }

  async list(instituteId: string, query: PageQueryDto): Promise<Page<ImportSummaryDto>> {
    const qb = this.batches.createQueryBuilder('b').where('b.instituteId = :instituteId', { instituteId });
    return keysetPage(qb, { at: 'b.createdAt', id: 'b.id', order: 'DESC', query, defaultLimit: 20, keyOf: (r) => ({ at: r.createdAt, id: r.id }) }, (rows) =>
      rows.map((r) => ImportSummaryDto.from(r)),
    );
  }

  /** Another institute's batch is 404, like an unknown one. */
  async get(instituteId: string, importId: string): Promise<ImportBatch> {
    const batch = await this.batches.findOneBy({ id: importId, instituteId });
    if (!batch) throw AppError.notFound('IMPORT_NOT_FOUND', 'Import not found');
    return batch;
  }

  async detail(instituteId: string, importId: string): Promise<ImportDetailDto> {
    const batch = await this.get(instituteId, importId);
    // The refused rows' chunks (0, -1, -2…) in row order, only as many as the errors shown need.
    const errors: ImportDetailDto['errors'] = [];
    for (let chunk = 0; errors.length < MAX_ERRORS_SHOWN; chunk -= 1) {
      const refused = await this.chunks.findOne({ select: { batchId: true, chunk: true, results: true }, where: { batchId: batch.id, chunk } });
      if (!refused?.results?.length) break;
      for (const r of refused.results) {
        for (const e of r.errors?.length ? r.errors : [{ field: 'row', message: r.message }]) errors.push({ row: r.row, field: e.field, message: e.message });
      }
    }
    errors.splice(MAX_ERRORS_SHOWN);
    return { ...ImportSummaryDto.from(batch), sheet: batch.sheetName, headerRow: batch.headerRow, ignoredRows: batch.ignoredRows ?? [], errors };
  }

  /** Every data row with its outcome, in row order (never a password). */
  async *reportRows(batchId: string) {
    const lines: ReportRow[] = [];
    // Refused rows' chunks count down from 0, valid rows' up from 1.
    for (let chunk = 0, step = -1; ; chunk += step) {
      const c = await this.chunks.findOne({ select: { batchId: true, chunk: true, rows: true, results: true }, where: { batchId, chunk } });
      if (!c) {
        if (step > 0) break;
        [chunk, step] = [0, 1];
        continue;
      }
      const results = new Map((c.results ?? []).map((r) => [r.row, r]));
      for (const r of c.rows) {
        const result = results.get(r.row);
        lines.push({
          row: r.row,
          firstName: r.firstName,
          lastName: r.lastName,
          email: r.email,
          group: r.group ?? '',
          department: r.department ?? '',
          outcome: result?.outcome ?? 'pending',
          message: result?.message ?? '',
        });
      }
    }
    lines.sort((a, b) => a.row - b.row);
    yield* lines;
  }
}
