import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination';
import { MailLogEntry, MailStatus } from '../entities/mail-log-entry.entity';

export class ListMailQueryDto extends PageQueryDto {
  @IsOptional()
  @IsEnum(MailStatus)
  status?: MailStatus;

  /** The recipient's address (any case): the mails sent to it, and those queued for its account. */
  @ApiPropertyOptional({ example: 'student@example.org' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  to?: string;

  /** A template name, e.g. `import-welcome`. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(/^[a-z0-9-]+$/, { message: 'template must be lower case letters, digits and dashes' })
  template?: string;
}

/** One email of the mail log. Never its content: no token or password is ever stored. */
export class MailLogEntryDto {
  id: string;
  /** The address; null for a mail to an account that is still queued (its address is read when sending). */
  to: string | null;
  /** The recipient account, when there is one. */
  userId: string | null;
  template: string;
  locale: string | null;
  status: MailStatus;
  /** Delivery attempts made so far. */
  @ApiProperty({ type: 'integer', minimum: 0 })
  attempts: number;
  lastError: string | null;
  /** What the mail is about: `user`, `import`… */
  aboutType: string | null;
  aboutId: string | null;
  instituteId: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;

  static from(e: MailLogEntry): MailLogEntryDto {
    return {
      id: e.id,
      to: e.recipient,
      userId: e.userId,
      template: e.template,
      locale: e.locale,
      status: e.status,
      attempts: e.attempts,
      lastError: e.lastError,
      aboutType: e.aboutType,
      aboutId: e.aboutId,
      instituteId: e.instituteId,
      createdAt: e.createdAt.toISOString(),
      updatedAt: e.updatedAt.toISOString(),
      sentAt: e.sentAt?.toISOString() ?? null,
    };
  }
}

export class MailLogPageDto {
  items: MailLogEntryDto[];
  nextCursor: string | null;
}
