import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { AuditEntry } from '../entities/audit-entry.entity';

export class ListAuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Exact action, or a prefix ending with a dot (e.g. `auth.`)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z_.]+$/, { message: 'action must be lower case letters, dots and underscores' })
  action?: string;

  @IsOptional()
  @IsUUID()
  actorId?: string;

  @IsOptional()
  @IsUUID()
  targetId?: string;

  @IsOptional()
  @IsUUID()
  instituteId?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, inclusive' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO 8601, exclusive' })
  @IsOptional()
  @IsISO8601()
  to?: string;
}

export class AuditEntryResponseDto {
  id: string;
  action: string;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  instituteId: string | null;
  ip: string | null;
  @ApiProperty({ nullable: true, type: Object }) details: Record<string, unknown> | null;
  createdAt: string;

  static from(e: AuditEntry): AuditEntryResponseDto {
    return {
      id: e.id,
      action: e.action,
      actorId: e.actorId,
      targetType: e.targetType,
      targetId: e.targetId,
      instituteId: e.instituteId,
      ip: e.ip,
      details: e.details,
      createdAt: e.createdAt.toISOString(),
    };
  }
}

export class AuditPageDto {
  items: AuditEntryResponseDto[];
  nextCursor: string | null;
}
