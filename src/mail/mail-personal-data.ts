import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { ErasedPerson, mentionsSql, PersonalDataRegistry } from '../common/personal-data';
import { JobQueue } from '../jobs/job-queue';
import { MailLogEntry, MailStatus } from './entities/mail-log-entry.entity';
import { MAIL_SEND_JOB } from './mail.types';

/**
 * The mail log about a person. On erasure, mails not yet sent are dropped (with
 * their queued jobs); sent ones keep their template and dates, never the
 * address or the names (including mails to others that named the person).
 */
@Injectable()
export class MailPersonalData implements OnModuleInit {
  private readonly dropped = new Map<string, string[]>();

  constructor(
    private readonly registry: PersonalDataRegistry,
    private readonly jobs: JobQueue,
    @InjectRepository(MailLogEntry) private readonly log: Repository<MailLogEntry>,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'mail',
      export: async ({ userId }) => {
        const rows = await this.log.find({ where: { userId }, order: { createdAt: 'ASC' } });
        return rows.map((m) => ({
          template: m.template,
          recipient: m.recipient,
          status: m.status,
          createdAt: m.createdAt.toISOString(),
          sentAt: m.sentAt?.toISOString() ?? null,
        }));
      },
      erase: async (person: ErasedPerson, em: EntityManager) => {
        const m = mentionsSql(['recipient', 'context'], person);
        const where = `(userId = ? OR recipient = ? OR ${m.sql})`;
        const params = [person.userId, person.email, ...m.params];
        const unsent = await em.query<Array<{ id: string }>>(`SELECT id FROM mail_log WHERE status = ? AND ${where}`, [MailStatus.Queued, ...params]);
        if (unsent.length)
          await em.query(
            `DELETE FROM mail_log WHERE id IN (${unsent.map(() => '?').join(',')})`,
            unsent.map((r) => r.id),
          );
        this.dropped.set(
          person.userId,
          unsent.map((r) => r.id),
        );
        await em.query(`UPDATE mail_log SET userId = NULL, recipient = NULL, context = NULL, lastError = NULL, dedupeKey = NULL WHERE ${where}`, params);
        await em.query('UPDATE mail_log SET aboutId = NULL WHERE aboutId = ?', [person.userId]);
      },
      afterErase: async (person: ErasedPerson) => {
        const ids = new Set(this.dropped.get(person.userId) ?? []);
        this.dropped.delete(person.userId);
        if (ids.size) await this.jobs.purge(MAIL_SEND_JOB, (data) => ids.has(data.mailId));
      },
    });
  }
}
