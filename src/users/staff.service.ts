import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { authConfig } from '../config/configuration';
import { PasswordService } from '../auth/password.service';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/errors/app-error';
import { Transactions } from '../common/transactions';
import { User } from './entities/user.entity';
import { normalizeEmail } from './email';
import { LastStaffError, UsersService } from './users.service';
import { newId } from '../common/ids';

export type StaffOutcome = 'created' | 'promoted' | 'unchanged';

/**
 * Staff accounts: the first one from BOOTSTRAP_STAFF_EMAIL/PASSWORD at start
 * (only when no staff exists), others from `npm run cli -- create-staff`.
 */
@Injectable()
export class StaffService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Staff');

  constructor(
    private readonly users: UsersService,
    private readonly passwords: PasswordService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tx: Transactions,
    private readonly tokens: TokensService,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const bootstrap = this.config.bootstrapStaff;
    if (!bootstrap) return;
    if (await this.users.hasStaff()) return;
    const result = await this.createOrPromote(bootstrap.email, bootstrap.password, 'bootstrap');
    // Another process may have created it meanwhile: then this one did nothing, and says so.
    const said = {
      created: 'Bootstrap staff account created',
      promoted: 'Existing account promoted to staff',
      unchanged: 'Bootstrap staff account already exists',
    };
    this.logger.log({ userId: result.id }, said[result.outcome]);
  }

  /**
   * Creates a verified staff account, or promotes an existing account (its
   * password is then left alone). Concurrent starts are settled by the unique email.
   */
  async createOrPromote(email: string, password: string | null, via: string): Promise<{ id: string; outcome: StaffOutcome }> {
    const normalized = normalizeEmail(email);
    const existing = await this.users.findByEmail(normalized);
    if (existing) {
      if (existing.isStaff) return { id: existing.id, outcome: 'unchanged' };
      // Conditional: of two concurrent promotions, one promotes and the other finds nothing to do.
      if (!(await this.users.promoteToStaff(existing.id, this.clock.now()))) return { id: existing.id, outcome: 'unchanged' };
      await this.audit.record({ action: 'staff.promoted', targetType: 'user', targetId: existing.id, details: { via } });
      return { id: existing.id, outcome: 'promoted' };
    }
    if (password === null) throw new Error('A password is required to create a staff account');
    this.passwords.assertAcceptable(password, normalized);
    const id = newId();
    try {
      await this.users.insert({
        id,
        email: normalized,
        firstName: 'Oktonine',
        lastName: 'Staff',
        passwordHash: await this.passwords.hash(password),
        isStaff: true,
        emailVerifiedAt: this.clock.now(),
      });
    } catch (error) {
      const raced = await this.users.findByEmail(normalized);
      if (raced) return { id: raced.id, outcome: raced.isStaff ? 'unchanged' : (await this.createOrPromote(normalized, null, via)).outcome };
      throw error;
    }
    await this.audit.record({ action: 'staff.created', targetType: 'user', targetId: id, details: { via } });
    return { id, outcome: 'created' };
  }

  list(): Promise<User[]> {
    return this.users.staff();
  }

  /** Staff promote an existing account over the API; audited. */
  async promote(userId: string, actorId: string, ip: string | null): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
    if (await this.users.promoteToStaff(userId, this.clock.now())) {
      await this.audit.record({ action: 'staff.promoted', actorId, targetType: 'user', targetId: userId, ip, details: { via: 'api' } });
    }
    return (await this.users.findById(userId))!;
  }

  /** Never the last staff account (LAST_STAFF); the demoted account's tokens end at once. */
  async demote(userId: string, actorId: string, ip: string | null): Promise<void> {
    await this.tx.run(async (em) => {
      const outcome = await this.users.demoteStaff(userId, em);
      if (outcome === 'not_staff') throw AppError.notFound('STAFF_NOT_FOUND', 'This account is not staff');
      if (outcome === 'last_staff') throw AppError.conflict('LAST_STAFF', 'The platform would be left without staff');
      await this.audit.record({ action: 'staff.demoted', actorId, targetType: 'user', targetId: userId, ip }, em);
    });
  }

  /**
   * Sign-in refused with ACCOUNT_DISABLED, access tokens refused at once (token
   * version bumped), refresh tokens revoked. The last staff account cannot be disabled.
   */
  async disable(userId: string, actorId: string, ip: string | null): Promise<void> {
    await this.tx.run(async (em) => {
      const user = await this.users.findById(userId, em);
      if (!user) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
      if (user.isStaff) {
        try {
          await this.users.assertNotLastStaff(userId, em);
        } catch (error) {
          if (error instanceof LastStaffError) throw AppError.conflict('LAST_STAFF', error.message);
          throw error;
        }
      }
      if (await this.users.setDisabled(userId, this.clock.now(), em)) {
        await this.audit.record({ action: 'user.disabled', actorId, targetType: 'user', targetId: userId, ip }, em);
      }
    });
    await this.tokens.revokeAllForUser(userId);
  }

  async enable(userId: string, actorId: string, ip: string | null): Promise<void> {
    await this.tx.run(async (em) => {
      if (!(await this.users.findById(userId, em))) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
      if (await this.users.setDisabled(userId, null, em)) {
        await this.audit.record({ action: 'user.enabled', actorId, targetType: 'user', targetId: userId, ip }, em);
      }
    });
  }
}
