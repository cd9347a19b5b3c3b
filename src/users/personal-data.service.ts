import { Injectable, OnModuleInit } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { AppError } from '../common/errors/app-error';
import { ErasedPerson, PersonalDataRegistry } from '../common/personal-data';
import { Transactions } from '../common/transactions';
import { User } from './entities/user.entity';
import { LastStaffError, UsersService } from './users.service';

/**
 * The rights of access and erasure (GDPR articles 15, 17 and 20), over every
 * module that registered as a holder of personal data. The account itself is
 * this module's part: exported as the profile, deleted last.
 */
@Injectable()
export class PersonalDataService implements OnModuleInit {
  constructor(
    private readonly registry: PersonalDataRegistry,
    private readonly users: UsersService,
    private readonly tx: Transactions,
    private readonly audit: AuditService,
  ) {}

  onModuleInit() {
    this.registry.register({
      section: 'profile',
      eraseOrder: 100,
      export: async ({ userId }) => {
        const u = await this.users.findById(userId);
        return u ? profileOf(u) : null;
      },
      assertErasable: async (userId, em) => {
        try {
          await this.users.assertNotLastStaff(userId, em);
        } catch (error) {
          if (error instanceof LastStaffError) throw AppError.conflict('LAST_STAFF', error.message);
          throw error;
        }
      },
      erase: (person, em) => this.users.deleteAccount(person.userId, em),
    });
  }

  /** One JSON document: every section every holder keeps about the person. */
  async export(userId: string): Promise<Record<string, unknown>> {
    const user = await this.users.findById(userId);
    if (!user) throw AppError.unauthorized();
    const person = personOf(user);
    const sections: Record<string, unknown> = { exportedAt: new Date().toISOString() };
    for (const holder of this.registry.holders()) sections[holder.section] = await holder.export(person);
    return sections;
  }

  /**
   * Erasure, in one transaction: every holder first checks it may happen (the
   * last manager of an institute, the last staff account: 409), then deletes or
   * anonymises its part; the account goes last. The audit trail keeps its ids
   * and actions. Queued jobs naming the person are removed after the commit.
   */
  async erase(userId: string, actorId: string, ip: string | null): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
    const person = personOf(user);
    const holders = this.registry.holders();
    await this.tx.run(async (em) => {
      for (const h of holders) await h.assertErasable?.(userId, em);
      for (const h of holders) await h.erase(person, em);
      await this.audit.record({ action: 'user.erased', actorId, targetType: 'user', targetId: userId, ip }, em);
    });
    for (const h of holders) await h.afterErase?.(person);
  }
}

function personOf(u: User): ErasedPerson {
  return { userId: u.id, email: u.email, firstName: u.firstName, lastName: u.lastName };
}

function profileOf(u: User) {
  return {
    id: u.id,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    locale: u.locale,
    isStaff: u.isStaff,
    emailVerifiedAt: u.emailVerifiedAt?.toISOString() ?? null,
    disabledAt: u.disabledAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
