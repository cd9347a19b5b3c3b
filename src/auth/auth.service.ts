import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { Metrics } from '../common/metrics';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { JobQueue } from '../jobs/job-queue';
import { ACCOUNT_EMAIL_JOB, AccountEmailJob } from './auth.constants';
import { AuthMailService } from './auth-mail.service';
import { LoginResponseDto } from './dto/auth.dto';
import { UserResponseDto } from './dto/user-response.dto';
import { EmailTokensService } from './email-tokens.service';
import { TokenPurpose } from './entities/one-time-token.entity';
import { LockoutService } from './lockout.service';
import { PasswordService } from './password.service';
import { AccountStore } from './ports';
import { TokenPair, TokensService } from './tokens.service';

/** Both links lead to /reset-password: a forgotten password, or a first one. */
const PASSWORD_LINKS = [TokenPurpose.ResetPassword, TokenPurpose.SetPassword];

const invalidCredentials = () => AppError.unauthorized('INVALID_CREDENTIALS', 'Invalid email or password');

@Injectable()
export class AuthService {
  private readonly logins;

  constructor(
    private readonly accounts: AccountStore,
    private readonly passwords: PasswordService,
    private readonly tokens: TokensService,
    private readonly emailTokens: EmailTokensService,
    private readonly lockout: LockoutService,
    private readonly mail: AuthMailService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tx: Transactions,
    private readonly jobs: JobQueue,
    metrics: Metrics,
  ) {
    this.logins = metrics.counter({
      name: 'oktonine_logins_total',
      help: 'Password sign-ins by outcome: succeeded, failed (bad credentials or unverified email), locked (account locked out)',
      labelNames: ['outcome'],
    });
    // Every series from the start, so rate() sees the first increment.
    for (const outcome of ['succeeded', 'failed', 'locked']) this.logins.inc({ outcome }, 0);
  }

  /**
   * The same 401 for an unknown email, a wrong password and a locked account, with
   * the same argon2 work on every path. Only after a correct password does an
   * unverified self-registered account learn it must verify its email.
   */
  async login(email: string, password: string, ip: string | null): Promise<LoginResponseDto> {
    const user = await this.accounts.findByEmailWithSecret(email);
    if (!user) {
      await this.passwords.verifyDummy(password);
      await this.audit.record({ action: 'auth.login_failed', ip, details: { reason: 'unknown_account' } });
      this.logins.inc({ outcome: 'failed' });
      throw invalidCredentials();
    }
    if (!(await this.lockout.reserveAttempt(user.id))) {
      await this.passwords.verifyDummy(password);
      await this.audit.record({ action: 'auth.login_locked', actorId: user.id, targetType: 'user', targetId: user.id, ip });
      this.logins.inc({ outcome: 'locked' });
      throw invalidCredentials();
    }
    if (!(await this.passwords.verify(user.passwordHash, password))) {
      await this.audit.record({
        action: 'auth.login_failed',
        actorId: user.id,
        targetType: 'user',
        targetId: user.id,
        ip,
        details: { reason: 'bad_password' },
      });
      this.logins.inc({ outcome: 'failed' });
      throw invalidCredentials();
    }
    await this.lockout.clear(user.id);
    if (!user.emailVerifiedAt) {
      this.logins.inc({ outcome: 'failed' });
      throw AppError.forbidden('EMAIL_NOT_VERIFIED', 'Verify your email address before signing in');
    }
    // Told only after a correct password, like EMAIL_NOT_VERIFIED: a wrong guess learns nothing.
    if (user.disabledAt) {
      this.logins.inc({ outcome: 'failed' });
      throw AppError.forbidden('ACCOUNT_DISABLED', 'This account is disabled');
    }
    if (user.passwordHash && this.passwords.needsRehash(user.passwordHash)) {
      await this.accounts.setPassword(user.id, { hash: await this.passwords.hash(password), revokeTokens: false });
    }
    // Independent writes, sent together (the audit entry never fails the login it reports).
    const [tokens] = await Promise.all([
      this.tokens.issue(user),
      this.audit.record({ action: 'auth.login_ok', actorId: user.id, targetType: 'user', targetId: user.id, ip }),
    ]);
    this.logins.inc({ outcome: 'succeeded' });
    return { ...tokens, user: UserResponseDto.from(user) };
  }

  refresh(refreshToken: string, ip: string | null): Promise<TokenPair> {
    return this.tokens.rotate(refreshToken, ip, async (id) => {
      const user = await this.accounts.findById(id);
      return user && !user.disabledAt ? user : null;
    });
  }

  logout(refreshToken: string): Promise<void> {
    return this.tokens.revokeByToken(refreshToken);
  }

  /** 202 whether or not the account exists; the email goes out only if it does. */
  async forgotPassword(email: string, ip: string | null): Promise<void> {
    await this.requestAccountEmail(email, 'reset-password', ip);
  }

  /**
   * The password is checked against the policy before the token is spent, so a
   * refused password does not burn the link. Every session of the user ends.
   */
  async resetPassword(token: string, password: string, ip: string | null): Promise<void> {
    const userId = await this.emailTokens.peek(token, PASSWORD_LINKS);
    const user = await this.accounts.findById(userId);
    if (!user) throw AppError.unauthorized('INVALID_TOKEN', 'The link is invalid, expired or already used');
    this.passwords.assertAcceptable(password, user.email);
    const hash = await this.passwords.hash(password);
    await this.tx.run(async (em) => {
      await this.emailTokens.consume(token, PASSWORD_LINKS, em);
      // Following a link sent to the address proves the address.
      await this.accounts.setPassword(
        user.id,
        { hash, revokeTokens: true, clearLockout: true, verifyEmail: user.emailVerifiedAt ? undefined : this.clock.now() },
        em,
      );
      await this.audit.record({ action: 'auth.password_reset', actorId: user.id, targetType: 'user', targetId: user.id, ip }, em);
    });
    await this.tokens.revokeAllForUser(user.id);
  }

  async changePassword(userId: string, current: string, next: string, ip: string | null): Promise<LoginResponseDto> {
    const user = await this.accounts.findByIdWithSecret(userId);
    if (!user) throw AppError.unauthorized();
    if (!(await this.passwords.verify(user.passwordHash, current))) {
      await this.audit.record({ action: 'auth.password_change_failed', actorId: user.id, targetType: 'user', targetId: user.id, ip });
      throw AppError.validation([{ field: 'currentPassword', message: 'currentPassword is not correct' }], 'The current password is not correct');
    }
    this.passwords.assertAcceptable(next, user.email, 'newPassword');
    const hash = await this.passwords.hash(next);
    await this.tx.run(async (em) => {
      await this.accounts.setPassword(user.id, { hash, revokeTokens: true }, em);
      await this.audit.record({ action: 'auth.password_changed', actorId: user.id, targetType: 'user', targetId: user.id, ip }, em);
    });
    await this.tokens.revokeAllForUser(user.id);
    // Every earlier token is now refused, this caller's included: hand it a fresh pair.
    const updated = (await this.accounts.findById(user.id))!;
    return { ...(await this.tokens.issue(updated)), user: UserResponseDto.from(updated) };
  }

  async verifyEmail(token: string, ip: string | null): Promise<void> {
    await this.tx.run(async (em) => {
      const userId = await this.emailTokens.consume(token, TokenPurpose.VerifyEmail, em);
      await this.accounts.markEmailVerified(userId, this.clock.now(), em);
      await this.audit.record({ action: 'auth.email_verified', actorId: userId, targetType: 'user', targetId: userId, ip }, em);
    });
  }

  /** 202 always; a new link only for an existing, still unverified account. */
  async resendVerification(email: string, ip: string | null): Promise<void> {
    await this.requestAccountEmail(email, 'verify-email', ip);
  }

  /**
   * The request path does the same work whatever the address: one read of the
   * email index and one queued job, so its timing says nothing about who has an
   * account. The job decides whether a mail goes out (and audits the request).
   */
  private async requestAccountEmail(email: string, kind: AccountEmailJob['kind'], ip: string | null): Promise<void> {
    const userId = await this.accounts.idByEmail(email);
    await this.jobs.enqueue(ACCOUNT_EMAIL_JOB, { requestId: randomUUID(), userId, kind, ip });
  }

  /** The `auth.account-email` job (AccountEmailProcessor): the address's account, if any, gets its mail. */
  async accountEmail({ requestId, userId, kind, ip }: AccountEmailJob): Promise<void> {
    const user = userId ? await this.accounts.findById(userId) : null;
    if (!user) return;
    if (kind === 'verify-email' && user.emailVerifiedAt) return;
    await this.mail.sendMany([{ userId: user.id, kind, dedupeKey: `account-email:${requestId}` }]);
    if (kind === 'reset-password') {
      await this.audit.record({ action: 'auth.password_reset_requested', actorId: user.id, targetType: 'user', targetId: user.id, ip });
    }
  }
}
