import type { MailLogEntry } from './entities/mail-log-entry.entity';

/** Job payload: the mail_log row's id, nothing else. */
export const MAIL_SEND_JOB = 'mail.send';
export interface MailSendJob {
  mailId: string;
}

/** SMTP connections one process keeps open (nodemailer's pool) while mail is going out. */
export const SMTP_CONNECTIONS = 10;
/**
 * Mail jobs one process runs at once: twice the connections, so that while some
 * jobs read and write the mail log, others keep every connection busy (the
 * SMTP exchange is the slow part, about 45 ms per message on localhost).
 */
export const MAIL_CONCURRENCY = 2 * SMTP_CONNECTIONS;

declare module '../jobs/job-payloads' {
  interface JobPayloads {
    [MAIL_SEND_JOB]: MailSendJob;
  }
}

/** A message rendered from `templates/<locale>/<template>.{subject,html,text}.hbs` and delivered now. */
export interface MailMessage {
  to: string;
  template: string;
  locale?: string | null;
  context?: Record<string, unknown>;
}

/**
 * A mail to queue. Its context is stored in the mail log: never a secret.
 * Mails carrying a token name the recipient by `userId`, and a composer
 * registered for their template mints the token when the mail is sent.
 */
export interface OutgoingMail {
  template: string;
  /** A fixed address; without it, the address of `userId`'s account when sending. */
  to?: string;
  userId?: string | null;
  locale?: string | null;
  context?: Record<string, unknown>;
  /** Queueing the same key twice records (and sends) one mail. */
  dedupeKey?: string;
  about?: { type: string; id: string; instituteId?: string | null };
}

/** Builds the message of a recorded mail at sending time; null when there is nobody to send it to any more. */
export type MailComposer = (entry: MailLogEntry) => Promise<MailMessage | null>;

/** A date as emails show it, the same in every locale: "2026-11-28 14:05 UTC". */
export function mailDate(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
