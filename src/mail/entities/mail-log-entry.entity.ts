import { Column, Entity } from 'typeorm';
import { BaseEntity } from '../../common/entities/base.entity';

export enum MailStatus {
  Queued = 'queued',
  Sent = 'sent',
  Failed = 'failed',
}

/**
 * One email, recorded when it is queued. Its job carries only this row's id;
 * the row is marked sent before the job is acknowledged, so a job delivered
 * twice (a worker that died after the SMTP server accepted the mail) sends
 * once. Never holds a token or a password: mails with a link get their token
 * minted when they are sent.
 */
@Entity('mail_log')
export class MailLogEntry extends BaseEntity {
  /** Makes queueing idempotent: a second mail with the same key is not recorded. */
  @Column({ type: 'varchar', length: 191, nullable: true })
  dedupeKey: string | null;

  /** The recipient account, when there is one; its address and locale are read at sending. */
  @Column({ type: 'varchar', length: 36, nullable: true })
  userId: string | null;

  /** The address: given when queued, or the account's address once sent. */
  @Column({ type: 'varchar', length: 254, nullable: true })
  recipient: string | null;

  @Column({ type: 'varchar', length: 64 })
  template: string;

  @Column({ type: 'varchar', length: 8, nullable: true })
  locale: string | null;

  /** What the template shows (names, links without secrets). */
  @Column({ type: 'simple-json', nullable: true })
  context: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 16, default: MailStatus.Queued })
  status: MailStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  /** The entity the mail is about (an import, a membership, a user…). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  aboutType: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  aboutId: string | null;

  @Column({ type: 'varchar', length: 36, nullable: true })
  instituteId: string | null;

  @Column({ type: 'datetime', precision: 3, nullable: true })
  sentAt: Date | null;
}
