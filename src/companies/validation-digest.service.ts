import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { In, LessThan } from 'typeorm';
import { Clock } from '../common/clock';
import { Transactions } from '../common/transactions';
import { jobsConfig, mailConfig } from '../config/configuration';
import { JobQueue } from '../jobs/job-queue';
import { MailService } from '../mail/mail.service';
import { mailDate } from '../mail/mail.types';
import { AffiliationStatus, CompanyAffiliation } from './entities/company-affiliation.entity';
import { UsersService } from '../users/users.service';
import { dueAt, VALIDATION_DUE_MS } from './professionals.service';

export const VALIDATION_DIGEST_JOB = 'professionals.validation-digest';

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    /** A repeatable job: no payload. */
    [VALIDATION_DIGEST_JOB]: Record<string, never>;
  }
}

/** A request enters "due soon" this long before its 48-hour due time. */
export const DUE_SOON_MS = 12 * 3600_000;

export enum ReminderStage {
  None = 0,
  DueSoon = 1,
  Overdue = 2,
}

export interface DigestResult {
  dueSoon: string[];
  overdue: string[];
}

/**
 * Keeps the 48-hour promise visible: a Bull repeatable job (one schedule in
 * Redis however many processes declare it) emails staff the requests about to
 * pass or past their due time. Each request is announced at most once per
 * stage: the stage is claimed in the database, under a row lock, before any
 * email is queued, so overlapping runs cannot both announce it.
 */
@Injectable()
export class ValidationDigestService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ValidationDigest');

  constructor(
    private readonly jobs: JobQueue,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly mail: MailService,
    private readonly users: UsersService,
    @Inject(jobsConfig.KEY) private readonly jobsCfg: ConfigType<typeof jobsConfig>,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
  ) {}

  async onApplicationBootstrap() {
    await this.jobs.repeat(VALIDATION_DIGEST_JOB, this.jobsCfg.validationDigestEveryMs);
  }

  /** The repeatable `professionals.validation-digest` job (ValidationDigestProcessor). */
  async run(): Promise<DigestResult> {
    const now = this.clock.now();
    const dueSoonFrom = new Date(now.getTime() - (VALIDATION_DUE_MS - DUE_SOON_MS));
    const overdueFrom = new Date(now.getTime() - VALIDATION_DUE_MS);
    const claimed = await this.tx.run(async (em) => {
      const qb = em
        .createQueryBuilder(CompanyAffiliation, 'a')
        .where('a.status = :pending AND a.reminderStage < :overdue AND a.submittedAt <= :from', {
          pending: AffiliationStatus.Pending,
          overdue: ReminderStage.Overdue,
          from: dueSoonFrom,
        })
        .orderBy('a.submittedAt', 'ASC')
        .limit(500);
      // Concurrent runs queue on these rows; the second then sees the stages the first claimed.
      if (this.tx.isMysql) qb.setLock('pessimistic_write');
      const candidates = await qb.getMany();
      const announced: Array<{ a: CompanyAffiliation; stage: ReminderStage }> = [];
      for (const a of candidates) {
        const stage = a.submittedAt.getTime() <= overdueFrom.getTime() ? ReminderStage.Overdue : ReminderStage.DueSoon;
        if ((stage as number) <= a.reminderStage) continue;
        const res = await em.update(CompanyAffiliation, { id: a.id, reminderStage: LessThan(stage) }, { reminderStage: stage });
        if (res.affected) announced.push({ a, stage });
      }
      if (!announced.length) return { announced, staff: [], mailIds: [] };
      const loaded = await em.find(CompanyAffiliation, { where: { id: In(announced.map((x) => x.a.id)) }, relations: { user: true, company: true } });
      const byId = new Map(loaded.map((a) => [a.id, a]));
      for (const x of announced) x.a = byId.get(x.a.id)!;
      const staff = await this.users.staff(em);
      const item = ({ a }: { a: CompanyAffiliation }) => ({
        name: `${a.user!.firstName} ${a.user!.lastName}`,
        email: a.user!.email,
        companyName: a.company!.name,
        submittedAt: mailDate(a.submittedAt),
        dueAt: mailDate(dueAt(a.submittedAt)),
      });
      const overdue = announced.filter((x) => x.stage === ReminderStage.Overdue).map(item);
      const dueSoon = announced.filter((x) => x.stage === ReminderStage.DueSoon).map(item);
      // Recorded with the claim: a crash after the commit cannot lose the digest (the recovery sweep sends it).
      const mailIds = await this.mail.record(
        staff.map((s) => ({
          to: s.email,
          userId: s.id,
          template: 'validation-digest',
          locale: s.locale,
          context: { firstName: s.firstName, overdue, dueSoon, link: `${this.mailCfg.appUrl}/admin/professionals` },
        })),
        em,
      );
      return { announced, staff, mailIds };
    });
    const result: DigestResult = {
      dueSoon: claimed.announced.filter((x) => x.stage === ReminderStage.DueSoon).map((x) => x.a.userId),
      overdue: claimed.announced.filter((x) => x.stage === ReminderStage.Overdue).map((x) => x.a.userId),
    };
    if (!claimed.announced.length) return result;
    await this.mail.dispatch(claimed.mailIds);
    this.logger.log({ overdue: result.overdue.length, dueSoon: result.dueSoon.length, staff: claimed.staff.length }, 'Validation digest sent');
    return result;
  }
}
