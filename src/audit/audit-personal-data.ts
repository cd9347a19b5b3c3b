import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, mentionsSql, PersonalDataRegistry } from '../common/personal-data';
import { AuditEntry } from './entities/audit-entry.entity';

/**
 * The audit trail about a person: exported (the network address only of the
 * entries the person made: the others record their actor's); on erasure its ids and
 * actions stay (who did what, when), its personal fields (address, details
 * naming the person) are cleared.
 */
@Injectable()
export class AuditPersonalData implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    @InjectRepository(AuditEntry) private readonly entries: Repository<AuditEntry>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'audit',
      export: async ({ userId }) => {
        const rows = await this.entries
          .createQueryBuilder('a')
          .where('a.actorId = :userId OR a.targetId = :userId', { userId })
          .orderBy('a.createdAt', 'ASC')
          .addOrderBy('a.id', 'ASC')
          .getMany();
        return rows.map((a) => ({
          action: a.action,
          byThePerson: a.actorId === userId,
          aboutThePerson: a.targetId === userId,
          instituteId: a.instituteId,
          // The address an entry records is its actor's: another person's (a manager, staff) is not the caller's to see.
          ip: a.actorId === userId ? a.ip : null,
          details: a.details,
          createdAt: a.createdAt.toISOString(),
        }));
      },
      erase: async (person: ErasedPerson, em: EntityManager) => {
        const m = mentionsSql(['details'], person);
        await em.query(`UPDATE audit_entries SET ip = NULL, details = NULL WHERE actorId = ? OR targetId = ? OR ${m.sql}`, [
          person.userId,
          person.userId,
          ...m.params,
        ]);
      },
    });
  }
}
