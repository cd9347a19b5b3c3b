import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ImportBatch, ImportStatus } from '../entities/import-batch.entity';

export class UploadImportQueryDto {
  @ApiPropertyOptional({ description: 'true: validate and compute each row’s would-be outcome, write nothing' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  dryRun?: boolean;
}

export class UploadImportDto {
  @ApiProperty({ type: 'string', format: 'binary', description: '.xlsx or .ods (the first visible sheet with the header) or .csv (UTF-8, , or ;)' })
  file: unknown;
}

export class ImportAcceptedDto {
  id: string;
  status: ImportStatus;
}

export class ImportRowErrorDto {
  @ApiProperty({ type: 'integer', description: 'The row number the spreadsheet shows' }) row: number;
  @ApiProperty({ example: 'email' }) field: string;
  message: string;
}

export class ImportSummaryDto {
  id: string;
  status: ImportStatus;
  dryRun: boolean;
  fileName: string;
  @ApiProperty({ type: 'integer', minimum: 0 }) total: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) processed: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) created: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) attached: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) skipped: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) failed: number;
  uploadedById: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  failureReason: string | null;

  static from(b: ImportBatch): ImportSummaryDto {
    return {
      id: b.id,
      status: b.status,
      dryRun: Boolean(b.dryRun),
      fileName: b.fileName,
      total: b.total,
      processed: b.processed,
      created: b.created,
      attached: b.attached,
      skipped: b.skipped,
      failed: b.failed,
      uploadedById: b.uploadedById,
      createdAt: b.createdAt.toISOString(),
      startedAt: b.startedAt ? b.startedAt.toISOString() : null,
      finishedAt: b.finishedAt ? b.finishedAt.toISOString() : null,
      failureReason: b.failureReason,
    };
  }
}

export class ImportIgnoredRowDto {
  @ApiProperty({ type: 'integer', description: 'The row number the spreadsheet shows' }) row: number;
  @ApiProperty({ description: 'Its texts, joined by " | "', example: 'Liste des élèves 2026-2027' }) text: string;
}

export class ImportDetailDto extends ImportSummaryDto {
  @ApiProperty({ nullable: true, type: String, description: 'The sheet that was read (null for CSV)' }) sheet: string | null;
  @ApiProperty({ nullable: true, type: 'integer', description: 'The row taken as the header' }) headerRow: number | null;
  @ApiProperty({ type: [ImportIgnoredRowDto], description: 'Non-empty rows above the header, which were not imported (a title, a note)' })
  ignoredRows: ImportIgnoredRowDto[];
  @ApiProperty({ type: [ImportRowErrorDto], description: 'Row errors in row order (the first 1,000; the report lists every row)' })
  errors: ImportRowErrorDto[];
}

export class ImportPageDto {
  items: ImportSummaryDto[];
  nextCursor: string | null;
}
