import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { insertSkippingDuplicates } from '../common/sql';
import { AppError } from '../common/errors/app-error';
import { Metrics } from '../common/metrics';
import { JobQueue } from '../jobs/job-queue';
import { JobRecovery } from '../jobs/job-recovery.service';
import { MailLogEntry, MailStatus } from './entities/mail-log-entry.entity';
import { MailDeliveryLog } from './mail-delivery-log';
import { MailSender } from './mail-sender';
import { MAIL_SEND_JOB, MailComposer, MailMessage, OutgoingMail } from './mail.types';
import { newId } from '../common/ids';

const COLUMNS = ['id', 'dedupeKey', 'userId', 'recipient', 'template', 'locale', 'context', 'aboutType', 'aboutId', 'instituteId'];
const SWEEP_LIMIT = 5000;

/**
 * What modules call to send mail. Every mail is recorded in `mail_log` when it
 * is queued, then sent by a `mail.send` job carrying only its id; the row is
 * marked sent before the job is acknowledged, so a job delivered twice sends
 * once, and the recovery sweep queues again the mails whose job Redis lost.
 */
@Injectable()
export class MailService implements OnModuleInit {
  private readonly composers = new Map<string, MailComposer>();
  private readonly sent;
  private readonly failed;

  constructor(
    private readonly jobs: JobQueue,
    private readonly recovery: JobRecovery,
    private readonly sender: MailSender,
    private readonly deliveries: MailDeliveryLog,
    private readonly clock: Clock,
    metrics: Metrics,
    @InjectRepository(MailLogEntry) private readonly log: Repository<MailLogEntry>,
  ) {
    this.sent = metrics.counter({
      name: 'oktonine_mails_sent_total',
      help: 'Emails accepted by the SMTP server (or written to MAIL_DIR)',
      labelNames: ['template'],
    });
    this.failed = metrics.counter({ name: 'oktonine_mails_failed_total', help: 'Emails given up after their last attempt', labelNames: ['template'] });
  }

  onModuleInit() {
    this.recovery.register('mail', (olderThan) => this.requeueStale(olderThan));
  }

  /** For templates whose message is built when sending (a token to mint, an address to look up). */
  registerComposer(templates: readonly string[], composer: MailComposer): void {
    for (const template of templates) {
      if (this.composers.has(template)) throw new Error(`Mail composer for "${template}" registered twice`);
      this.composers.set(template, composer);
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.sendMany([mail]);
  }

  async sendMany(mails: OutgoingMail[]): Promise<void> {
    await this.dispatch(await this.record(mails));
  }

  /**
   * Records mails, in the caller's transaction when given one (then call
   * `dispatch` with the ids after the commit; should the process die first, the
   * recovery sweep sends them). Returns the ids of the mails recorded now: a
   * `dedupeKey` recorded before keeps its first mail.
   */
  async record(mails: OutgoingMail[], em: EntityManager = this.log.manager): Promise<string[]> {
    if (!mails.length) return [];
    const rows = mails.map((m) => [
      newId(),
      m.dedupeKey ?? null,
      m.userId ?? null,
      m.to ?? null,
      m.template,
      m.locale ?? null,
      m.context ? JSON.stringify(m.context) : null,
      m.about?.type ?? null,
      m.about?.id ?? null,
      m.about?.instituteId ?? null,
    ]);
    // Only a duplicate key (a dedupeKey recorded before) is skipped.
    await insertSkippingDuplicates(em, 'mail_log', COLUMNS, rows);
    const ids = rows.map((r) => r[0] as string);
    if (!mails.some((m) => m.dedupeKey)) return ids;
    const kept: string[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const part = ids.slice(i, i + 1000);
      const found: Array<{ id: string }> = await em.query(`SELECT id FROM mail_log WHERE id IN (${part.map(() => '?').join(',')})`, part);
      kept.push(...found.map((r) => r.id));
    }
    return kept;
  }

  /** Queues the send jobs of recorded mails (their ids deduplicate a mail already queued). */
  async dispatch(mailIds: string[], again = false): Promise<void> {
    await this.jobs.enqueueMany(
      MAIL_SEND_JOB,
      mailIds.map((mailId) => ({ data: { mailId }, options: { jobId: mailId, again } })),
    );
  }

  /** The `mail.send` job (MailProcessor). `lastAttempt`: a failure now is final. */
  async deliver(mailId: string, lastAttempt: boolean): Promise<void> {
    const entry = await this.log.findOneBy({ id: mailId });
    // Sent already (a job delivered twice), or given up: nothing to do.
    if (!entry || entry.status !== MailStatus.Queued) return;
    let message: MailMessage | null;
    try {
      message = await this.compose(entry);
      if (message) await this.sender.deliver(message);
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).slice(0, 500);
      await this.log.update({ id: mailId }, { attempts: () => 'attempts + 1', lastError: reason, ...(lastAttempt ? { status: MailStatus.Failed } : {}) });
      if (lastAttempt) this.countFailure(entry.template);
      throw error;
    }
    if (!message) {
      await this.log.update({ id: mailId }, { status: MailStatus.Failed, lastError: 'The recipient account no longer exists' });
      this.countFailure(entry.template);
      return;
    }
    // Before the job is acknowledged: if this worker dies now, the retry finds the mail sent.
    await this.log.update(
      { id: mailId },
      { status: MailStatus.Sent, sentAt: this.clock.now(), attempts: () => 'attempts + 1', recipient: message.to, locale: message.locale, lastError: null },
    );
    this.sent.inc({ template: entry.template });
    this.deliveries.note(entry.template, 'sent');
  }

  /**
   * Sends a failed mail again (a fresh job with its full attempts); a mail with a
   * link gets a new token. Only a failed mail: 409 MAIL_NOT_FAILED otherwise.
   */
  async retry(mailId: string): Promise<MailLogEntry> {
    const res = await this.log.update({ id: mailId, status: MailStatus.Failed }, { status: MailStatus.Queued });
    if (!res.affected) {
      const entry = await this.log.findOneBy({ id: mailId });
      if (!entry) throw AppError.notFound('MAIL_NOT_FOUND', 'Mail not found');
      throw AppError.conflict('MAIL_NOT_FAILED', `Only a failed mail can be retried; this one is ${entry.status}`);
    }
    // Again: the job that last handled it may still be kept under the mail's id.
    await this.dispatch([mailId], true);
    return (await this.log.findOneBy({ id: mailId }))!;
  }

  private countFailure(template: string): void {
    this.failed.inc({ template });
    this.deliveries.note(template, 'failed');
  }

  private async compose(entry: MailLogEntry): Promise<MailMessage | null> {
    const composer = this.composers.get(entry.template);
    if (composer) return composer(entry);
    if (!entry.recipient) throw new Error(`Mail ${entry.id} (${entry.template}) has no recipient and no composer`);
    return { to: entry.recipient, template: entry.template, locale: entry.locale, context: entry.context ?? {} };
  }

  /** Mails still queued well after they were queued or last tried: their job may be gone. */
  private async requeueStale(olderThan: Date): Promise<number> {
    const stale: Array<{ id: string }> = await this.log
      .createQueryBuilder('m')
      .select('m.id', 'id')
      .where('m.status = :queued AND m.updatedAt < :olderThan', { queued: MailStatus.Queued, olderThan })
      .orderBy('m.updatedAt', 'ASC')
      .limit(SWEEP_LIMIT)
      .getRawMany();
    await this.dispatch(stale.map((r) => r.id));
    return stale.length;
  }
}
