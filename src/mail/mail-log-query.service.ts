import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ObjectLiteral, Repository } from 'typeorm';
import { keysetPage, Page, PageQueryDto } from '../common/pagination';
import { MailLogEntryDto } from './dto/mail-log.dto';
import { MailLogEntry, MailStatus } from './entities/mail-log-entry.entity';

/** A sub-query selecting user ids (`SELECT x.userId FROM …`), with its named parameters. */
export interface UserIdsQuery {
  sql: string;
  params: ObjectLiteral;
}

export interface MailLogFilter {
  status?: MailStatus;
  template?: string;
  /** A normalized address and, when it has an account, that account: queued token mails have no address yet. */
  recipient?: { email: string; userId: string | null };
  instituteId?: string;
  /** Only mails to these accounts. */
  userIdsIn?: UserIdsQuery;
}

/** Reads the mail log newest first, keyset-paginated on (createdAt, id). */
@Injectable()
export class MailLogQueryService {
  constructor(@InjectRepository(MailLogEntry) private readonly log: Repository<MailLogEntry>) {}

  list(filter: MailLogFilter, page: PageQueryDto): Promise<Page<MailLogEntryDto>> {
    const qb = this.log.createQueryBuilder('m');
    if (filter.status) qb.andWhere('m.status = :status', { status: filter.status });
    if (filter.template) qb.andWhere('m.template = :template', { template: filter.template });
    if (filter.recipient?.userId) {
      qb.andWhere('(m.recipient = :email OR m.userId = :recipientId)', { email: filter.recipient.email, recipientId: filter.recipient.userId });
    } else if (filter.recipient) {
      qb.andWhere('m.recipient = :email', { email: filter.recipient.email });
    }
    if (filter.instituteId) qb.andWhere('m.instituteId = :instituteId', { instituteId: filter.instituteId });
    if (filter.userIdsIn) qb.andWhere(`m.userId IN (${filter.userIdsIn.sql})`, filter.userIdsIn.params);
    return keysetPage(
      qb,
      { at: 'm.createdAt', id: 'm.id', order: 'DESC', query: page, defaultLimit: 50, keyOf: (r) => ({ at: r.createdAt, id: r.id }) },
      (rows) => rows.map((r) => MailLogEntryDto.from(r)),
    );
  }
}
