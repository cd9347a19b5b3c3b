import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { keysetPage, Page } from '../common/pagination';
import { AuditEntryResponseDto, ListAuditQueryDto } from './dto/audit.dto';
import { AuditEntry } from './entities/audit-entry.entity';

/** Reads the audit log newest first, keyset-paginated on (createdAt, id). */
@Injectable()
export class AuditQueryService {
  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  async list(query: ListAuditQueryDto, scope: { instituteId?: string } = {}): Promise<Page<AuditEntryResponseDto>> {
    const qb = this.entries.createQueryBuilder('a');
    const instituteId = scope.instituteId ?? query.instituteId;
    if (instituteId) qb.andWhere('a.instituteId = :instituteId', { instituteId });
    if (query.action?.endsWith('.')) qb.andWhere('a.action LIKE :prefix', { prefix: `${query.action}%` });
    else if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.actorId) qb.andWhere('a.actorId = :actorId', { actorId: query.actorId });
    if (query.targetId) qb.andWhere('a.targetId = :targetId', { targetId: query.targetId });
    if (query.from) qb.andWhere('a.createdAt >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('a.createdAt < :to', { to: new Date(query.to) });
    return keysetPage(qb, { at: 'a.createdAt', id: 'a.id', order: 'DESC', query, defaultLimit: 50, keyOf: (r) => ({ at: r.createdAt, id: r.id }) }, (rows) =>
      rows.map((r) => AuditEntryResponseDto.from(r)),
    );
  }
}
