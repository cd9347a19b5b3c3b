import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { PasswordService } from '../auth/password.service';
import { Clock } from '../common/clock';
import { newId } from '../common/ids';
import { longText, longTextPlaceholder, sqlDate } from '../common/sql';
import { Transactions } from '../common/transactions';
import { mailConfig } from '../config/configuration';
import { InstitutesService } from '../institutes/institutes.service';
import { JobQueue } from '../jobs/job-queue';
import { JobRecovery } from '../jobs/job-recovery.service';
import { MailService } from '../mail/mail.service';
import { MembershipsService } from '../memberships/memberships.service';
import { NotificationsService } from '../notifications/notifications.service';
import { NotificationType } from '../notifications/notifications.types';
import { UsersService } from '../users/users.service';
import { foldName } from '../users/email';
import { ImportBatch, ImportStatus } from './entities/import-batch.entity';
import { ImportChunk, RowOutcome, RowResult, StoredRow } from './entities/import-chunk.entity';
import { ImportMetrics } from './import-metrics';
import { IMPORT_CHUNK_JOB, IMPORT_WELCOME_JOB, ImportChunkJob, ImportWelcomeJob } from './imports.constants';

const MESSAGES: Record<Exclude<RowOutcome, RowOutcome.Failed>, { done: string; dry: string }> = {
  [RowOutcome.Created]: { done: 'Account created and added to the institute', dry: 'Would create an account and add it to the institute' },
  [RowOutcome.Attached]: { done: 'Existing account added to the institute as a student', dry: 'Would add the existing account to the institute as a student' },
  [RowOutcome.Skipped]: { done: 'Already a member of the institute', dry: 'Already a member of the institute: would be skipped' },
};

type Outcome = Exclude<RowOutcome, RowOutcome.Failed>;

/** A batch that has just ended: its summary mail is recorded, to be dispatched after the commit. */
export interface Completion {
  summaryMailIds: string[];
}

const SWEEP_LIMIT = 2000;

/**
 * Processes an import chunk by chunk. Each chunk is one transaction of
 * set-based statements (duplicate-skipping INSERTs of users and memberships, then a few
 * UPDATEs of the rows and the batch counters), so:
 *  - re-running a chunk after a crash finds its rows done (or rolled back) and
 *    the unique indexes (users.email, memberships(userId, instituteId)) make any
 *    overlap a no-op: nothing is ever created twice;
 *  - several worker processes share a big file, one chunk each at a time;
 *  - the chunk that brings `processed` to `total` completes the batch, exactly
 *    once (conditional UPDATE under the batch row's lock).
 * Passwords are hashed before the transaction, in parallel on libuv's pool.
 */
/** Thrown inside a chunk's transaction to roll it back: the batch ended (failed) meanwhile. */
class BatchEnded extends Error {}

@Injectable()
export class ImportJobsService implements OnModuleInit {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly jobs: JobQueue,
    private readonly recovery: JobRecovery,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    private readonly users: UsersService,
    private readonly memberships: MembershipsService,
    private readonly institutes: InstitutesService,
    private readonly importMetrics: ImportMetrics,
    @Inject(mailConfig.KEY) private readonly mailCfg: ConfigType<typeof mailConfig>,
    @InjectRepository(ImportBatch) private readonly batches: Repository<ImportBatch>,
    @InjectRepository(ImportChunk) private readonly chunks: Repository<ImportChunk>,
  ) {}

  onModuleInit() {
    this.recovery.register('imports', (olderThan) => this.requeueStale(olderThan));
  }

  /** The `imports.chunk` job. After its last attempt fails, the batch fails (what was done stays done). */
  async runChunk(job: ImportChunkJob, lastAttempt: boolean): Promise<void> {
    try {
      await this.processChunk(job);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn({ batchId: job.batchId, chunk: job.chunk, lastAttempt, error: message }, 'Import chunk failed');
      if (lastAttempt) await this.failBatch(job.batchId, `Chunk ${job.chunk} could not be processed`);
      throw error;
    }
  }

  async processChunk({ batchId, chunk }: ImportChunkJob): Promise<void> {
    const started = Date.now();
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch || batch.status === ImportStatus.Failed) return;
    if (batch.status === ImportStatus.Queued) await this.markProcessing(batchId);
    const slice = await this.chunks.findOne({ select: { batchId: true, chunk: true, done: true, rows: true, passwords: true }, where: { batchId, chunk } });
    if (!slice) return;
    if (slice.done) {
      // Done by an earlier run that may have died before queueing the welcome mails: queue them (ids dedupe).
      if (batch.status === ImportStatus.Completed) await this.afterCommit(batch, { summaryMailIds: [] });
      return;
    }
    const rows = slice.rows;
    const keys = rows.map((r) => r.emailKey!);
    const known = await this.users.idsByEmail(keys);
    const hashes = new Map<number, string>();
    if (!batch.dryRun && slice.passwords) {
      const passwords = slice.passwords;
      // In parallel: argon2 runs on libuv's thread pool, as many at once as it has threads.
      await Promise.all(
        rows.map(async (r, i) => {
          if (passwords[i] && !known.has(r.emailKey!)) hashes.set(r.row, await this.passwords.hash(passwords[i]));
        }),
      );
    }
    const uploader = batch.uploadedById ? await this.users.findById(batch.uploadedById) : null;

    let counts = { [RowOutcome.Created]: 0, [RowOutcome.Attached]: 0, [RowOutcome.Skipped]: 0 };
    const finished = await this.tx
      .run(async (em) => {
        // The chunk row's lock serialises two runs of the same chunk (a stalled job retried
        // while the first run still goes): the second finds it done and leaves.
        const lock = this.tx.isMysql ? ' FOR UPDATE' : '';
        const [state] = await em.query<Array<{ done: number | string }>>(`SELECT done FROM import_chunks WHERE batchId = ? AND chunk = ?${lock}`, [
          batchId,
          chunk,
        ]);
        if (!state || Number(state.done)) return undefined;
        const results = batch.dryRun
          ? await this.dryOutcomes(em, batch, rows, known)
          : await this.write(em, batch, rows, known, hashes, uploader?.locale ?? 'en');
        // Reset here: the transaction may run again after a deadlock.
        counts = { [RowOutcome.Created]: 0, [RowOutcome.Attached]: 0, [RowOutcome.Skipped]: 0 };
        for (const r of results) counts[r.outcome as Outcome] += 1;
        await em.query(`UPDATE import_chunks SET done = ?, passwords = NULL, results = ${longTextPlaceholder(em)} WHERE batchId = ? AND chunk = ?`, [
          1,
          longText(em, JSON.stringify(results)),
          batchId,
          chunk,
        ]);
        // Only while the batch is open. The counters' UPDATE locks the batch row: a failBatch()
        // that got there first (another chunk's last attempt) has ended the batch, and this
        // chunk's writes are rolled back; one that comes after waits for this commit, so the
        // welcome mails it queues see these rows.
        const open = await em
          .createQueryBuilder()
          .update(ImportBatch)
          .set({
            processed: () => `processed + ${rows.length}`,
            created: () => `created + ${counts.created}`,
            attached: () => `attached + ${counts.attached}`,
            skipped: () => `skipped + ${counts.skipped}`,
          })
          .where('id = :batchId AND status IN (:...open)', { batchId, open: [ImportStatus.Queued, ImportStatus.Processing] })
          .execute();
        if (!open.affected) throw new BatchEnded();
        return this.completeIfDone(em, batch);
      })
      .catch((error: unknown) => {
        if (error instanceof BatchEnded) return undefined;
        throw error;
      });
    if (finished === undefined) return;
    this.importMetrics.count(counts, batch.dryRun);
    this.logger.log({ batchId, chunk, rows: rows.length, ms: Date.now() - started }, 'Import chunk done');
    await this.afterCommit(batch, finished);
  }

  /**
   * Queued → processing, by the batch's primary key alone: the first chunks of
   * a batch start at once, and two UPDATEs naming the status in their WHERE
   * could each reach the row through the (status, createdAt) index they both
   * move it in, and deadlock (seen in 2 of 5 runs of `bench:import`; the chunk
   * was then retried after its backoff). By key, the second waits for the
   * first and changes nothing.
   */
  private async markProcessing(batchId: string): Promise<void> {
    const em = this.batches.manager;
    const now = sqlDate(em, this.clock.now());
    // status last: MySQL evaluates a SET's assignments in order, each seeing the ones before.
    const queued = `CASE WHEN status = '${ImportStatus.Queued}'`;
    await em.query(
      `UPDATE import_batches SET startedAt = ${queued} THEN ? ELSE startedAt END, updatedAt = ${queued} THEN ? ELSE updatedAt END, status = ${queued} THEN ? ELSE status END WHERE id = ?`,
      [now, now, ImportStatus.Processing, batchId],
    );
  }

  /**
   * Creates the missing users and the memberships with a few multi-row
   * statements; returns each row's outcome. `known` holds the accounts read
   * before the transaction: the others are inserted by a plain INSERT and
   * their ids are ours, with nothing to read back. Should one of those emails
   * have an account by now (a concurrent import), the INSERT fails as a whole
   * and the careful path runs: a duplicate-skipping INSERT, then which rows
   * are ours is read back. Memberships of the accounts created here cannot
   * exist yet; only those of existing accounts are inserted skipping duplicates.
   */
  private async write(
    em: EntityManager,
    batch: ImportBatch,
    rows: StoredRow[],
    known: Map<string, string>,
    hashes: Map<number, string>,
    locale: string,
  ): Promise<RowResult[]> {
    const now = this.clock.now();
    const emails = rows.map((r) => r.emailKey!);
    const accounts = rows
      .filter((r) => !known.has(r.emailKey!))
      .map((r) => ({
        id: newId(),
        email: r.emailKey!,
        firstName: r.firstName,
        lastName: r.lastName,
        passwordHash: hashes.get(r.row) ?? null,
        locale,
        createdById: batch.uploadedById,
      }));
    const ownUserIds = new Map(accounts.map((a) => [a.email, a.id]));
    let userIds: Map<string, string>;
    // Verified: the institute vouches for the accounts it imports.
    if (await this.users.insertNew(em, accounts, now)) {
      userIds = new Map([...known, ...ownUserIds]);
    } else {
      await this.users.insertMissing(em, accounts, now);
      userIds = await this.users.idsByEmail(emails, em);
      // Every email has an account now (inserted or already there). One missing would be a
      // broken invariant (a collation that disagrees with normalizeEmail): fail the chunk
      // loudly rather than write memberships without a user.
      const unread = rows.filter((r) => !userIds.has(r.emailKey!));
      if (unread.length) throw new Error(`Import ${batch.id}: no account read back for rows ${unread.map((r) => r.row).join(', ')}`);
    }
    const created = new Set<string>(accounts.filter((a) => userIds.get(a.email) === a.id).map((a) => a.id));

    const memberships = rows.map((r) => ({ id: newId(), userId: userIds.get(r.emailKey!)!, group: r.group, department: r.department }));
    // The accounts created here hold the file's names, folded as UsersService folds them.
    const fresh = memberships.flatMap((m, i) =>
      created.has(m.userId) ? [{ ...m, keys: [rows[i].emailKey!, foldName(rows[i].firstName), foldName(rows[i].lastName)] as const }] : [],
    );
    const existing = memberships.filter((m) => !created.has(m.userId));
    await this.memberships.insertForNewAccounts(em, batch.instituteId, fresh, batch.uploadedById, now);
    const membershipIds = existing.length
      ? await this.memberships.insertMissing(em, batch.instituteId, existing, batch.uploadedById, now)
      : new Map<string, string>();
    for (const m of fresh) membershipIds.set(m.userId, m.id);
    const ownMembershipIds = new Map(memberships.map((m) => [m.userId, m.id]));

    return rows.map((r) => {
      const userId = userIds.get(r.emailKey!)!;
      const ownMembership = membershipIds.get(userId) === ownMembershipIds.get(userId);
      const outcome: Outcome = !ownMembership ? RowOutcome.Skipped : created.has(userId) ? RowOutcome.Created : RowOutcome.Attached;
      return { row: r.row, outcome, message: MESSAGES[outcome].done, userId };
    });
  }

  /** The outcome each row would have, reading only. */
  private async dryOutcomes(em: EntityManager, batch: ImportBatch, rows: StoredRow[], known: Map<string, string>): Promise<RowResult[]> {
    const members = await this.memberships.idsByUser(em, batch.instituteId, [...known.values()]);
    return rows.map((r) => {
      const userId = known.get(r.emailKey!);
      const outcome: Outcome = !userId ? RowOutcome.Created : members.has(userId) ? RowOutcome.Skipped : RowOutcome.Attached;
      return { row: r.row, outcome, message: MESSAGES[outcome].dry, userId: userId ?? null };
    });
  }

  /**
   * processing → completed when every row is done. The counters' UPDATE holds the
   * batch row's lock, so of concurrent chunks exactly one sees the last row done.
   */
  async completeIfDone(em: EntityManager, batch: Pick<ImportBatch, 'id' | 'uploadedById' | 'instituteId'>): Promise<Completion | null> {
    const res = await em
      .createQueryBuilder()
      .update(ImportBatch)
      .set({ status: ImportStatus.Completed, finishedAt: this.clock.now() })
      .where('id = :id AND status IN (:...open) AND processed >= total', { id: batch.id, open: [ImportStatus.Queued, ImportStatus.Processing] })
      .execute();
    if (!res.affected) return null;
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
    return { summaryMailIds: await this.recordSummary(em, done) };
  }

  /**
   * When the batch has ended (committed): the summary mail recorded with the
   * completion, and one welcome-mail job per chunk. Welcomes go out once the
   * whole file is in, not while chunks still run (the mail work would slow the
   * import down). Job ids dedupe a re-run of the last chunk after a crash; the
   * recovery sweep queues again whatever Redis lost.
   */
  async afterCommit(batch: Pick<ImportBatch, 'id' | 'dryRun' | 'chunkCount'>, completion: Completion | null): Promise<void> {
    if (!completion) return;
    await this.mail.dispatch(completion.summaryMailIds);
    if (batch.dryRun) return;
    await this.queueWelcomes(Array.from({ length: batch.chunkCount }, (_, i) => ({ batchId: batch.id, chunk: i + 1 })));
  }

  private async queueWelcomes(chunks: ImportWelcomeJob[]): Promise<void> {
    await this.jobs.enqueueMany(
      IMPORT_WELCOME_JOB,
      chunks.map((c) => ({ data: c, options: { jobId: `${c.batchId}:${c.chunk}:welcome` } })),
    );
  }

  /**
   * Work the database says is unfinished, whose job Redis may have lost: chunks
   * of open batches, and welcome mails of ended batches not yet recorded.
   */
  private async requeueStale(olderThan: Date): Promise<number> {
    const chunks: ImportChunkJob[] = await this.chunks
      .createQueryBuilder('c')
      .innerJoin(ImportBatch, 'b', 'b.id = c.batchId')
      .select(['c.batchId AS batchId', 'c.chunk AS chunk'])
      .where('b.status IN (:...open) AND b.createdAt < :olderThan AND c.done = :no AND c.chunk > 0', {
        open: [ImportStatus.Queued, ImportStatus.Processing],
        olderThan,
        no: false,
      })
      .limit(SWEEP_LIMIT)
      .getRawMany();
    await this.jobs.enqueueMany(
      IMPORT_CHUNK_JOB,
      chunks.map((c) => ({ data: { batchId: c.batchId, chunk: Number(c.chunk) }, options: { jobId: `${c.batchId}:${Number(c.chunk)}` } })),
    );
    const unmailed: ImportWelcomeJob[] = await this.chunks
      .createQueryBuilder('c')
      .innerJoin(ImportBatch, 'b', 'b.id = c.batchId')
      .select(['c.batchId AS batchId', 'c.chunk AS chunk'])
      .where('b.status IN (:...ended) AND b.dryRun = :no AND b.finishedAt < :olderThan AND c.mailed = :no AND c.chunk > 0', {
        ended: [ImportStatus.Completed, ImportStatus.Failed],
        olderThan,
        no: false,
      })
      .limit(SWEEP_LIMIT)
      .getRawMany();
    await this.queueWelcomes(unmailed.map((c) => ({ batchId: c.batchId, chunk: Number(c.chunk) })));
    return chunks.length + unmailed.length;
  }

  /** Every attempt at a chunk failed: the batch is failed, what was done stays done. */
  async failBatch(batchId: string, reason: string): Promise<void> {
    const ended = await this.tx.run(async (em) => {
      const res = await em.update(
        ImportBatch,
        { id: batchId, status: In([ImportStatus.Queued, ImportStatus.Processing]) },
        { status: ImportStatus.Failed, failureReason: reason, finishedAt: this.clock.now() },
      );
      if (!res.affected) return null;
      await this.erasePasswords(em, batchId);
      const batch = (await em.findOneBy(ImportBatch, { id: batchId }))!;
      if (batch.uploadedById) await this.notifications.create(em, [this.finishedNotification(batch)]);
      await this.audit.record(
        { action: 'import.failed', actorId: batch.uploadedById, targetType: 'import', targetId: batchId, instituteId: batch.instituteId, details: { reason } },
        em,
      );
      return { batch, completion: { summaryMailIds: await this.recordSummary(em, batch) } };
    });
    // The chunks done before the failure created students: they get their welcome emails too.
    if (ended) await this.afterCommit(ended.batch, ended.completion);
  }

  private async erasePasswords(em: EntityManager, batchId: string): Promise<void> {
    await em.query('UPDATE import_chunks SET passwords = NULL WHERE batchId = ? AND passwords IS NOT NULL', [batchId]);
  }

  private finishedNotification(b: ImportBatch) {
    const failed = b.status === ImportStatus.Failed;
    return {
      userId: b.uploadedById!,
      type: NotificationType.ImportFinished,
      title: failed
        ? `The import of ${b.fileName} could not finish`
        : `${b.dryRun ? 'Dry run of' : 'Import of'} ${b.fileName} finished: ${b.created} created, ${b.attached} attached, ${b.skipped} skipped, ${b.failed} failed`,
      data: {
        importId: b.id,
        instituteId: b.instituteId,
        status: b.status,
        dryRun: Boolean(b.dryRun),
        total: b.total,
        created: b.created,
        attached: b.attached,
        skipped: b.skipped,
        failed: b.failed,
      },
    };
  }

  /**
   * Records one mail per student of a chunk (a set-password link for accounts
   * created without a password), each keyed by batch and student so a re-run
   * records nothing twice, queues them, then marks the chunk mailed.
   */
  /** The `imports.welcome-mails` job. */
  async sendWelcomes({ batchId, chunk }: ImportWelcomeJob): Promise<void> {
    const batch = await this.batches.findOneBy({ id: batchId });
    if (!batch) return;
    const institute = batch.dryRun ? null : await this.institutes.find(batch.instituteId);
    const slice = institute ? await this.chunks.findOne({ select: { batchId: true, chunk: true, results: true }, where: { batchId, chunk } }) : null;
    const outcomes = new Map(
      (slice?.results ?? [])
        .filter((r) => r.userId && (r.outcome === RowOutcome.Created || r.outcome === RowOutcome.Attached))
        .map((r) => [r.userId!, r.outcome]),
    );
    if (institute && outcomes.size) {
      const ids = [...outcomes.keys()];
      const users = await this.users.mailProfiles(ids);
      const about = { type: 'import', id: batchId, instituteId: batch.instituteId };
      const key = (userId: string) => `import:${batchId}:${userId}`;
      const rows = users.map((u) => ({ ...u, outcome: outcomes.get(u.userId)! }));
      const needPassword = rows.filter((r) => r.outcome === RowOutcome.Created && !r.hasPassword);
      const others = rows.filter((r) => !(r.outcome === RowOutcome.Created && !r.hasPassword));
      const recorded = [
        ...(await this.authMail.record(
          needPassword.map((r) => ({
            userId: r.userId,
            kind: 'import-welcome' as const,
            context: { instituteName: institute.name },
            dedupeKey: key(r.userId),
            about,
          })),
          this.batches.manager,
        )),
        ...(await this.mail.record(
          others.map((r) => ({
            to: r.email,
            userId: r.userId,
            template: 'import-added',
            locale: r.locale,
            context: {
              firstName: r.firstName,
              email: r.email,
              instituteName: institute.name,
              loginLink: `${this.mailCfg.appUrl}/login`,
              created: r.outcome === RowOutcome.Created,
            },
            dedupeKey: key(r.userId),
            about,
          })),
        )),
      ];
      await this.mail.dispatch(recorded);
    }
    await this.chunks.update({ batchId, chunk }, { mailed: true });
  }

  /** The uploader's summary, recorded in the transaction that ends the batch. */
  private async recordSummary(em: EntityManager, batch: ImportBatch): Promise<string[]> {
    if (batch.dryRun || !batch.uploadedById) return [];
    const [uploader, institute] = await Promise.all([this.users.findById(batch.uploadedById, em), this.institutes.find(batch.instituteId, em)]);
    if (!uploader || !institute) return [];
    return this.mail.record(
      [
        {
          to: uploader.email,
          userId: uploader.id,
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
          dedupeKey: `import-summary:${batch.id}`,
          about: { type: 'import', id: batch.id, instituteId: batch.instituteId },
        },
      ],
      em,
    );
  }
}
