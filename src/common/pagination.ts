import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from './errors/app-error';

/** Keyset pagination: the cursor is an opaque encoding of the last item's sort key. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const invalidCursor = () => AppError.validation([{ field: 'cursor', message: 'cursor is not a valid page cursor' }], 'Invalid cursor');

/** The cursor of lists sorted newest first on (createdAt, id): the last item's key. */
export function encodeTimeCursor(last: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify([last.createdAt.toISOString(), last.id])).toString('base64url');
}

/** 400 VALIDATION_FAILED on anything that is not a cursor this API issued. */
export function decodeTimeCursor(cursor: string): { createdAt: Date; id: string } {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(values) || values.length !== 2 || typeof values[0] !== 'string' || typeof values[1] !== 'string') throw invalidCursor();
  const createdAt = new Date(values[0]);
  if (Number.isNaN(createdAt.getTime())) throw invalidCursor();
  return { createdAt, id: values[1] };
}
