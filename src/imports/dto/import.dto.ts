import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { ImportBatch, ImportStatus } from '../entities/import-batch.entity';

export class UploadImportQueryDto {
  @ApiPropertyOptional({ description: 'true: validate and compute each row’s would-be outcome, write nothing' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value))
  @IsBoolean()
  dryRun?: boolean;
}

export class UploadImportDto {
  @ApiProperty({ type: 'string', format: 'binary', description: '.xlsx or .ods (the first visible sheet with the header) or .csv (UTF-8, , or ;)' })
  file: unknown;
}

export class ImportAcceptedDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ImportStatus }) status: ImportStatus;
}

export class ImportRowErrorDto {
  @ApiProperty({ description: 'The row number the spreadsheet shows' }) row: number;
  @ApiProperty({ example: 'email' }) field: string;
  @ApiProperty() message: string;
}

export class ImportSummaryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ImportStatus }) status: ImportStatus;
  @ApiProperty() dryRun: boolean;
  @ApiProperty() fileName: string;
  @ApiProperty() total: number;
  @ApiProperty() processed: number;
  @ApiProperty() created: number;
  @ApiProperty() attached: number;
  @ApiProperty() skipped: number;
  @ApiProperty() failed: number;
  @ApiProperty({ nullable: true, type: String }) uploadedById: string | null;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) startedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) failureReason: string | null;

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
  @ApiProperty({ description: 'The row number the spreadsheet shows' }) row: number;
  @ApiProperty({ description: 'Its texts, joined by " | "', example: 'Liste des élèves 2026-2027' }) text: string;
}

export class ImportDetailDto extends ImportSummaryDto {
  @ApiProperty({ nullable: true, type: String, description: 'The sheet that was read (null for CSV)' }) sheet: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'The row taken as the header' }) headerRow: number | null;
  @ApiProperty({ type: [ImportIgnoredRowDto], description: 'Non-empty rows above the header, which were not imported (a title, a note)' })
  ignoredRows: ImportIgnoredRowDto[];
  @ApiProperty({ type: [ImportRowErrorDto], description: 'Row errors in row order (the first 1,000; the report lists every row)' })
  errors: ImportRowErrorDto[];
}

export class ImportPageDto {
  @ApiProperty({ type: [ImportSummaryDto] }) items: ImportSummaryDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
