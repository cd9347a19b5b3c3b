import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { authConfig } from '../config/configuration';
import { PasswordService } from '../auth/password.service';
import { normalizeEmail } from './email';
import { UsersService } from './users.service';

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
    const id = randomUUID();
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
}
