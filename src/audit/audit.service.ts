import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { insertEntities } from '../common/sql';
import { AuditEntry } from './entities/audit-entry.entity';
import { newId } from '../common/ids';

export interface AuditEvent {
  action: string;
  actorId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  instituteId?: string | null;
  ip?: string | null;
  /** Never a password, token or hash. */
  details?: Record<string, unknown> | null;
}

function toRow(event: AuditEvent): QueryDeepPartialEntity<AuditEntry> {
  return {
    id: newId(),
    action: event.action,
    actorId: event.actorId ?? null,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    instituteId: event.instituteId ?? null,
    ip: event.ip ?? null,
    details: (event.details ?? null) as QueryDeepPartialEntity<AuditEntry>['details'],
  };
}

@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(@InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>) {}

  /** Many entries in the caller's transaction, in multi-row INSERTs. */
  async recordMany(events: AuditEvent[], em: EntityManager): Promise<void> {
    for (let i = 0; i < events.length; i += 500) await insertEntities(em, AuditEntry, events.slice(i, i + 500).map(toRow));
  }

  /**
   * With `em`, the entry commits or rolls back with the change it reports.
   * Without, it is written on its own (security events such as a failed login).
   */
  async record(event: AuditEvent, em?: EntityManager): Promise<void> {
    if (em) {
      await insertEntities(em, AuditEntry, toRow(event));
      return;
    }
    try {
      await insertEntities(this.entries.manager, AuditEntry, toRow(event));
    } catch (error) {
      // Losing an entry must not fail the login it reports; it is logged instead.
      this.logger.error({ action: event.action, error: error instanceof Error ? error.message : String(error) }, 'Could not write audit entry');
    }
  }
}
