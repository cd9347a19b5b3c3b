import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { mailConfig } from '../config/configuration';
import { JobQueue } from '../jobs/job-queue';
import { MailSender } from '../mail/mail-sender';
import { UsersService } from '../users/users.service';
import { TOKEN_EMAIL_JOB } from './auth.constants';
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
} as const;

export type TokenEmailKind = keyof typeof TOKEN_EMAILS;

export interface TokenEmailJob {
  userId: string;
  kind: TokenEmailKind;
  /** Names the template may show, resolved from ids by the caller's module. Never a secret. */
  context?: Record<string, string>;
}

/**
 * The token is minted inside the job, never in the request: the raw token then
 * exists only in the email, not in Redis. A retried job mints a fresh token,
 * which spends the earlier one.
 */
@Injectable()
export class AuthMailService implements OnModuleInit {
  private readonly logger = new Logger('AuthMail');

  constructor(
    private readonly jobs: JobQueue,
    private readonly sender: MailSender,
    private readonly tokens: EmailTokensService,
    private readonly users: UsersService,
    @Inject(mailConfig.KEY) private readonly config: ConfigType<typeof mailConfig>,
  ) {}

  onModuleInit() {
    this.jobs.register<TokenEmailJob>(TOKEN_EMAIL_JOB, (job) => this.deliver(job), { concurrency: 5 });
  }

  async send(userId: string, kind: TokenEmailKind, context?: Record<string, string>): Promise<void> {
    await this.jobs.enqueue<TokenEmailJob>(TOKEN_EMAIL_JOB, { userId, kind, context });
  }

  async sendMany(jobs: TokenEmailJob[]): Promise<void> {
    await this.jobs.enqueueMany<TokenEmailJob>(TOKEN_EMAIL_JOB, jobs.map((data) => ({ data })));
  }

  private async deliver(job: TokenEmailJob): Promise<void> {
    const user = await this.users.findById(job.userId);
    if (!user) {
      this.logger.warn({ userId: job.userId, kind: job.kind }, 'Token email skipped: the user no longer exists');
      return;
    }
    const spec = TOKEN_EMAILS[job.kind];
    const token = await this.tokens.issue(user.id, spec.purpose);
    const link = `${this.config.appUrl}${spec.path}?token=${encodeURIComponent(token)}`;
    await this.sender.deliver({
      to: user.email,
      template: job.kind,
      locale: user.locale,
      context: { ...job.context, firstName: user.firstName, lastName: user.lastName, email: user.email, link },
    });
  }
}
