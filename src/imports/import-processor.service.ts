import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { PasswordService } from '../auth/password.service';
import { Clock } from '../common/clock';
import { Transactions } from '../common/transactions';
import { mailConfig } from '../config/configuration';
import { Institute } from '../institutes/entities/institute.entity';
import { DEFAULT_ATTEMPTS, JobMeta, JobQueue } from '../jobs/job-queue';
import { MailService } from '../mail/mail.service';
import { Membership, MembershipRole, MembershipStatus } from '../memberships/entities/membership.entity';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { User } from '../users/entities/user.entity';
import { ImportBatch, ImportStatus } from './entities/import-batch.entity';
import { ImportRow, RowOutcome } from './entities/import-row.entity';
import { IMPORT_CHUNK_JOB, IMPORT_SUMMARY_JOB, IMPORT_WELCOME_JOB, ImportChunkJob, ImportSummaryJob, ImportWelcomeJob } from './imports.constants';

const MESSAGES: Record<Exclude<RowOutcome, RowOutcome.Failed>, { done: string; dry: string }> = {
  [RowOutcome.Created]: { done: 'Account created and added to the institute', dry: 'Would create an account and add it to the institute' },
  [RowOutcome.Attached]: { done: 'Existing account added to the institute as a student', dry: 'Would add the existing account to the institute as a student' },
  [RowOutcome.Skipped]: { done: 'Already a member of the institute', dry: 'Already a member of the institute: would be skipped' },
};

type Outcome = Exclude<RowOutcome, RowOutcome.Failed>;

/**
 * Processes an import chunk by chunk. Each chunk is one transaction of
 * set-based statements (INSERT IGNORE of users and memberships, then a few
 * UPDATEs of the rows and the batch counters), so:
 *  - re-running a chunk after a crash finds its rows done (or rolled back) and
 *    the unique indexes (users.email, memberships(userId, instituteId)) make any
 *    overlap a no-op: nothing is ever created twice;
 *  - several worker processes share a big file, one chunk each at a time;
 *  - the chunk that brings `processed` to `total` completes the batch, exactly
 *    once (conditional UPDATE under the batch row's lock).
 * Passwords are hashed before the transaction, in parallel on libuv's pool.
 */
@Injectable()
export class ImportProcessor implements OnModuleInit {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly jobs: JobQueue,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
    @InjectRepository(ImportBatch) private readonly batches: Repository<ImportBatch>,
    @InjectRepository(ImportRow) private readonly rows: Repository<ImportRow>,
  ) {}

  onModuleInit() {
    this.jobs.register<ImportChunkJob>(IMPORT_CHUNK_JOB, (job, meta) => this.runChunk(job, meta), { concurrency: 2 });
    this.jobs.register<ImportWelcomeJob>(IMPORT_WELCOME_JOB, (job) => this.sendWelcomes(job), { concurrency: 2 });
    this.jobs.register<ImportSummaryJob>(IMPORT_SUMMARY_JOB, (job) => this.sendSummary(job));
  }

  private async runChunk(job: ImportChunkJob, meta: JobMeta): Promise<void> {
    try {
      await this.processChunk(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ batchId: job.batchId, chunk: job.chunk, attempt: meta.attempt, error: message }, 'Import chunk failed');
      if (meta.attempt >= DEFAULT_ATTEMPTS) await this.failBatch(job.batchId, `Chunk ${job.chunk} could not be processed`);
      throw error;
    }
  }

  async processChunk({ batchId, chunk }: ImportChunkJob): Promise<void> {
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch || batch.status === ImportStatus.Failed) return;
    if (batch.status === ImportStatus.Queued) {
      await this.batches.update({ id: batchId, status: ImportStatus.Queued }, { status: ImportStatus.Processing, startedAt: this.clock.now() });
    }
    const rows = await this.rows
      .createQueryBuilder('r')
      .addSelect('r.password')
      .where('r.batchId = :batchId AND r.chunk = :chunk AND r.outcome IS NULL', { batchId, chunk })
      .orderBy('r.rowNumber', 'ASC')
      .getMany();
    if (!rows.length) {
      // Done by an earlier run that died before queueing its emails: queue them (ids dedupe).
      await this.afterCommit(batch, chunk, batch.status === ImportStatus.Completed);
      return;
    }

    const keys = rows.map((r) => r.emailKey!);
    const known = await this.userIdsByEmail(this.batches.manager, keys);
    const hashes = new Map<number, string>();
    if (!batch.dryRun) {
      // In parallel: argon2 runs on libuv's thread pool, as many at once as it has threads.
      await Promise.all(
        rows.filter((r) => r.password && !known.has(r.emailKey!)).map(async (r) => hashes.set(r.rowNumber, await this.passwords.hash(r.password!))),
      );
    }
    const uploader = batch.uploadedById ? await this.batches.manager.findOneBy(User, { id: batch.uploadedById }) : null;

    const finished = await this.tx.run(async (em) => {
      const outcomes = batch.dryRun ? await this.dryOutcomes(em, batch, rows, known) : await this.write(em, batch, rows, hashes, uploader?.locale ?? 'en');
      const counts = { created: 0, attached: 0, skipped: 0 };
      for (const [outcome, numbers] of outcomes) {
        counts[outcome] = numbers.length;
        if (!numbers.length) continue;
        await em
          .createQueryBuilder()
          .update(ImportRow)
          .set({ outcome, message: batch.dryRun ? MESSAGES[outcome].dry : MESSAGES[outcome].done, password: null })
          .where('batchId = :batchId AND rowNumber IN (:...numbers)', { batchId, numbers })
          .execute();
      }
      if (!batch.dryRun) {
        await em.query(
          'UPDATE import_rows SET userId = (SELECT u.id FROM users u WHERE u.email = import_rows.emailKey) WHERE batchId = ? AND chunk = ? AND outcome <> ?',
          [batchId, chunk, RowOutcome.Failed],
        );
      }
      await em
        .createQueryBuilder()
        .update(ImportBatch)
        .set({
          processed: () => `processed + ${rows.length}`,
          created: () => `created + ${counts.created}`,
          attached: () => `attached + ${counts.attached}`,
          skipped: () => `skipped + ${counts.skipped}`,
        })
        .where('id = :batchId', { batchId })
        .execute();
      return this.completeIfDone(em, batch);
    });
    await this.afterCommit(batch, chunk, finished);
  }

  /** Creates the missing users and the memberships; returns each row's outcome. */
  private async write(em: EntityManager, batch: ImportBatch, rows: ImportRow[], hashes: Map<number, string>, locale: string): Promise<Map<Outcome, number[]>> {
    const now = this.clock.now();
    const ownUserIds = new Map<string, string>();
    const newUsers = rows.map((r) => {
      const id = randomUUID();
      ownUserIds.set(r.emailKey!, id);
      return {
        id,
        email: r.emailKey!,
        firstName: r.firstName,
        lastName: r.lastName,
        passwordHash: hashes.get(r.rowNumber) ?? null,
        // The institute vouches for the accounts it imports.
        emailVerifiedAt: now,
        locale,
        createdById: batch.uploadedById,
      };
    });
    // INSERT IGNORE: an email that already has an account (even one created a moment ago
    // by a concurrent import) is left alone; which row is ours is read back below.
    await em.createQueryBuilder().insert().into(User).values(newUsers).orIgnore().updateEntity(false).execute();
    const userIds = await this.userIdsByEmail(em, rows.map((r) => r.emailKey!));

    const ownMembershipIds = new Map<string, string>();
    const memberships = rows.map((r) => {
      const id = randomUUID();
      const userId = userIds.get(r.emailKey!)!;
      ownMembershipIds.set(userId, id);
      return {
        id,
        userId,
        instituteId: batch.instituteId,
        role: MembershipRole.Student,
        status: MembershipStatus.Active,
        group: r.group,
        department: r.department,
        createdById: batch.uploadedById,
        validatedById: batch.uploadedById,
        validatedAt: now,
      };
    });
    await em.createQueryBuilder().insert().into(Membership).values(memberships).orIgnore().updateEntity(false).execute();
    const existing = await em.find(Membership, { select: { id: true, userId: true }, where: { instituteId: batch.instituteId, userId: In([...ownMembershipIds.keys()]) } });
    const membershipIds = new Map(existing.map((m) => [m.userId, m.id]));

    const outcomes = new Map<Outcome, number[]>([
      [RowOutcome.Created, []],
      [RowOutcome.Attached, []],
      [RowOutcome.Skipped, []],
    ]);
    for (const r of rows) {
      const userId = userIds.get(r.emailKey!)!;
      const ownMembership = membershipIds.get(userId) === ownMembershipIds.get(userId);
      const ownUser = userId === ownUserIds.get(r.emailKey!);
      const outcome = !ownMembership ? RowOutcome.Skipped : ownUser ? RowOutcome.Created : RowOutcome.Attached;
      outcomes.get(outcome)!.push(r.rowNumber);
    }
    return outcomes;
  }

  /** The outcome each row would have, reading only. */
  private async dryOutcomes(em: EntityManager, batch: ImportBatch, rows: ImportRow[], known: Map<string, string>): Promise<Map<Outcome, number[]>> {
    const ids = [...known.values()];
    const members = ids.length
      ? new Set((await em.find(Membership, { select: { userId: true }, where: { instituteId: batch.instituteId, userId: In(ids) } })).map((m) => m.userId))
      : new Set<string>();
    const outcomes = new Map<Outcome, number[]>([
      [RowOutcome.Created, []],
      [RowOutcome.Attached, []],
      [RowOutcome.Skipped, []],
    ]);
    for (const r of rows) {
      const userId = known.get(r.emailKey!);
      const outcome = !userId ? RowOutcome.Created : members.has(userId) ? RowOutcome.Skipped : RowOutcome.Attached;
      outcomes.get(outcome)!.push(r.rowNumber);
    }
    return outcomes;
  }

  /**
   * processing → completed when every row is done. The counters' UPDATE holds the
   * batch row's lock, so of concurrent chunks exactly one sees the last row done.
   */
  async completeIfDone(em: EntityManager, batch: Pick<ImportBatch, 'id' | 'uploadedById' | 'instituteId'>): Promise<boolean> {
    const res = await em
      .createQueryBuilder()
      .update(ImportBatch)
      .set({ status: ImportStatus.Completed, finishedAt: this.clock.now() })
      .where('id = :id AND status IN (:...open) AND processed >= total', { id: batch.id, open: [ImportStatus.Queued, ImportStatus.Processing] })
      .execute();
    if (!res.affected) return false;
    const done = (await em.findOneBy(ImportBatch, { id: batch.id }))!;
    await this.erasePasswords(em, batch.id);
    await this.audit.record(
      {
        action: 'import.completed',
        actorId: batch.uploadedById,
        targetType: 'import',
        targetId: batch.id,
        instituteId: batch.instituteId,
        details: { dryRun: done.dryRun, total: done.total, created: done.created, attached: done.attached, skipped: done.skipped, failed: done.failed },
      },
      em,
    );
    if (batch.uploadedById) await this.notifications.create(em, [this.finishedNotification(done)]);
    return true;
  }

  /** A batch whose rows all failed validation has no chunk: it ends with its upload. */
  async afterUpload(batch: Pick<ImportBatch, 'id' | 'dryRun'>, finished: boolean): Promise<void> {
    await this.afterCommit(batch, 0, finished);
  }

  /** After the commit: the chunk's welcome emails, and the summary when the batch ended (job ids dedupe re-runs). */
  private async afterCommit(batch: Pick<ImportBatch, 'id' | 'dryRun'>, chunk: number, finished: boolean): Promise<void> {
    if (batch.dryRun) return;
    if (chunk === 0) {
      if (finished) await this.jobs.enqueue<ImportSummaryJob>(IMPORT_SUMMARY_JOB, { batchId: batch.id }, { jobId: `${batch.id}:summary` });
      return;
    }
    await this.jobs.enqueue<ImportWelcomeJob>(IMPORT_WELCOME_JOB, { batchId: batch.id, chunk }, { jobId: `${batch.id}:${chunk}:welcome` });
    if (finished) await this.jobs.enqueue<ImportSummaryJob>(IMPORT_SUMMARY_JOB, { batchId: batch.id }, { jobId: `${batch.id}:summary` });
  }

  /** Every attempt at a chunk failed: the batch is failed, what was done stays done. */
  async failBatch(batchId: string, reason: string): Promise<void> {
    const failed = await this.tx.run(async (em) => {
      const res = await em.update(
        ImportBatch,
        { id: batchId, status: In([ImportStatus.Queued, ImportStatus.Processing]) },
        { status: ImportStatus.Failed, failureReason: reason, finishedAt: this.clock.now() },
      );
      if (!res.affected) return null;
      await this.erasePasswords(em, batchId);
      const batch = (await em.findOneBy(ImportBatch, { id: batchId }))!;
      if (batch.uploadedById) await this.notifications.create(em, [this.finishedNotification(batch)]);
      await this.audit.record({ action: 'import.failed', actorId: batch.uploadedById, targetType: 'import', targetId: batchId, instituteId: batch.instituteId, details: { reason } }, em);
      return batch;
    });
    if (failed && !failed.dryRun) await this.jobs.enqueue<ImportSummaryJob>(IMPORT_SUMMARY_JOB, { batchId }, { jobId: `${batchId}:summary` });
  }

  private async erasePasswords(em: EntityManager, batchId: string): Promise<void> {
    await em.createQueryBuilder().update(ImportRow).set({ password: null }).where('batchId = :batchId AND password IS NOT NULL', { batchId }).execute();
  }

  private finishedNotification(b: ImportBatch) {
    const failed = b.status === ImportStatus.Failed;
    return {
      userId: b.uploadedById!,
      type: NotificationType.ImportFinished,
      title: failed
        ? `The import of ${b.fileName} could not finish`
        : `${b.dryRun ? 'Dry run of' : 'Import of'} ${b.fileName} finished: ${b.created} created, ${b.attached} attached, ${b.skipped} skipped, ${b.failed} failed`,
      data: { importId: b.id, instituteId: b.instituteId, status: b.status, dryRun: Boolean(b.dryRun), total: b.total, created: b.created, attached: b.attached, skipped: b.skipped, failed: b.failed },
    };
  }

  private async userIdsByEmail(em: EntityManager, emails: string[]): Promise<Map<string, string>> {
    if (!emails.length) return new Map();
    const users = await em.find(User, { select: { id: true, email: true }, where: { email: In(emails) } });
    return new Map(users.map((u) => [u.email, u.id]));
  }

  /** One mail job per student: a set-password link for accounts created without a password. */
  private async sendWelcomes({ batchId, chunk }: ImportWelcomeJob): Promise<void> {
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch || batch.dryRun) return;
    const institute = await this.batches.manager.findOneBy(Institute, { id: batch.instituteId });
    if (!institute) return;
    const rows: Array<{ outcome: RowOutcome; userId: string; email: string; firstName: string; locale: string; noPassword: number | string }> = await this.rows
      .createQueryBuilder('r')
      .innerJoin(User, 'u', 'u.id = r.userId')
      .select(['r.outcome AS outcome', 'u.id AS userId', 'u.email AS email', 'u.firstName AS firstName', 'u.locale AS locale', 'CASE WHEN u.passwordHash IS NULL THEN 1 ELSE 0 END AS noPassword'])
      .where('r.batchId = :batchId AND r.chunk = :chunk AND r.outcome IN (:...outcomes)', { batchId, chunk, outcomes: [RowOutcome.Created, RowOutcome.Attached] })
      .getRawMany();
    const needPassword = rows.filter((r) => r.outcome === RowOutcome.Created && Number(r.noPassword) === 1);
    const others = rows.filter((r) => !(r.outcome === RowOutcome.Created && Number(r.noPassword) === 1));
    await this.authMail.sendMany(needPassword.map((r) => ({ userId: r.userId, kind: 'import-welcome' as const, context: { instituteName: institute.name } })));
    await this.mail.sendMany(
      others.map((r) => ({
        to: r.email,
        template: 'import-added',
        locale: r.locale,
        context: { firstName: r.firstName, email: r.email, instituteName: institute.name, loginLink: `${this.mailCfg.appUrl}/login`, created: r.outcome === RowOutcome.Created },
      })),
    );
  }

  private async sendSummary({ batchId }: ImportSummaryJob): Promise<void> {
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch?.uploadedById) return;
    const [uploader, institute] = await Promise.all([
      this.batches.manager.findOneBy(User, { id: batch.uploadedById }),
      this.batches.manager.findOneBy(Institute, { id: batch.instituteId }),
    ]);
    if (!uploader || !institute) return;
    await this.mail.send({
      to: uploader.email,
      template: 'import-summary',
      locale: uploader.locale,
      context: {
        firstName: uploader.firstName,
        instituteName: institute.name,
        fileName: batch.fileName,
        failedBatch: batch.status === ImportStatus.Failed,
        total: batch.total,
        created: batch.created,
        attached: batch.attached,
        skipped: batch.skipped,
        failed: batch.failed,
        link: `${this.mailCfg.appUrl}/institutes/${batch.instituteId}/imports/${batch.id}`,
      },
    });
  }
}
