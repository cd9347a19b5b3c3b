import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { EntityManager } from 'typeorm';
import { mailConfig } from '../config/configuration';
import { MailLogEntry } from '../mail/entities/mail-log-entry.entity';
import { MailService } from '../mail/mail.service';
import { MailMessage, OutgoingMail } from '../mail/mail.types';
import { AccountStore } from './ports';
import { EmailTokensService } from './email-tokens.service';
import { TokenPurpose } from './entities/one-time-token.entity';

/** Emails that carry a one-time link. */
export const TOKEN_EMAILS = {
  /** Confirm the address of a self-registered account. */
  'verify-email': { purpose: TokenPurpose.VerifyEmail, path: '/verify-email' },
  /** Forgotten password. */
  'reset-password': { purpose: TokenPurpose.ResetPassword, path: '/reset-password' },
  /** An account created for someone without a password: choose one. */
  'set-password': { purpose: TokenPurpose.SetPassword, path: '/reset-password' },
  /** A student created by an import, without a password: welcome, choose one. */
  'import-welcome': { purpose: TokenPurpose.SetPassword, path: '/reset-password' },
  /** Someone tried to register with an address that has an account: sign in or reset. */
  'account-exists': { purpose: TokenPurpose.ResetPassword, path: '/reset-password' },
  /**
   * Someone registered again with an address whose account was never confirmed:
   * the mailbox's owner finishes by choosing the password (a reset), so a
   * password set by whoever registered first never survives the confirmation.
   */
  'finish-registration': { purpose: TokenPurpose.ResetPassword, path: '/reset-password' },
} as const;

export type TokenEmailKind = keyof typeof TOKEN_EMAILS;

export interface TokenEmail {
  userId: string;
  kind: TokenEmailKind;
  /** Names the template may show, resolved from ids by the caller's module. Never a secret. */
  context?: Record<string, string>;
  dedupeKey?: string;
  about?: OutgoingMail['about'];
}

/**
 * Emails with a one-time link. They are queued like any mail (recorded in the
 * mail log without a token); the token is minted when the mail is sent, so the
 * raw token exists only in the email, never in Redis or the database. A retried
 * send mints a fresh token, which spends the earlier one.
 */
@Injectable()
export class AuthMailService implements OnModuleInit {
  constructor(
    private readonly mail: MailService,
    private readonly tokens: EmailTokensService,
    private readonly accounts: AccountStore,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {}

  onModuleInit() {
    this.mail.registerComposer(Object.keys(TOKEN_EMAILS), (entry) => this.compose(entry));
  }

  async send(userId: string, kind: TokenEmailKind, context?: Record<string, string>): Promise<void> {
    await this.sendMany([{ userId, kind, context }]);
  }

  async sendMany(mails: TokenEmail[]): Promise<void> {
    await this.mail.sendMany(mails.map(toOutgoing));
  }

  /** Records in the caller's transaction; `MailService.dispatch` the ids after the commit. */
  record(mails: TokenEmail[], em: EntityManager): Promise<string[]> {
    return this.mail.record(mails.map(toOutgoing), em);
  }

  private async compose(entry: MailLogEntry): Promise<MailMessage | null> {
    const user = entry.userId ? await this.accounts.findById(entry.userId) : null;
    if (!user) return null;
    const spec = TOKEN_EMAILS[entry.template as TokenEmailKind];
    const token = await this.tokens.issue(user.id, spec.purpose);
    const link = `${this.config.appUrl}${spec.path}?token=${encodeURIComponent(token)}`;
    return {
      to: user.email,
      template: entry.template,
      locale: user.locale,
      context: { ...entry.context, firstName: user.firstName, lastName: user.lastName, email: user.email, link },
    };
  }
}

function toOutgoing(m: TokenEmail): OutgoingMail {
  return { userId: m.userId, template: m.kind, context: m.context, dedupeKey: m.dedupeKey, about: m.about ?? { type: 'user', id: m.userId } };
}
