import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { MembershipRole, MembershipStatus } from '../auth/roles';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { Transactions } from '../common/transactions';
import { MemberDirectoryService } from '../memberships/member-directory.service';
import { normalizeEmail } from '../users/email';
import { EmailTakenError, UsersService } from '../users/users.service';
import { ExternalIdentity } from './entities/external-identity.entity';
import { IdentityProvider, JitPolicy } from './entities/identity-provider.entity';
import { newId } from '../common/ids';

/** What an IdP asserted about a person, once its signature and every check passed. */
export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  /** False only when the IdP said the address is not verified (OIDC `email_verified: false`). */
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  /** Claims or attributes, for the role mapping. */
  attributes: Record<string, string[]>;
}

export const ssoError = (code: string, message: string) => AppError.badRequest(code, message);

export const accountDisabled = () => AppError.forbidden('ACCOUNT_DISABLED', 'This account is disabled');

/**
 * Who an asserted identity is: an existing link wins; else the account with the
 * asserted email when the provider vouches for its domain; else, when the
 * provider's policy allows, a new verified account without password and an
 * active membership in the provider's institute. All in one transaction.
 */
@Injectable()
export class SsoAccountsService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly users: UsersService,
    private readonly directory: MemberDirectoryService,
    private readonly audit: AuditService,
  ) {}

  async resolve(provider: IdentityProvider, domains: string[], identity: VerifiedIdentity, ip: string | null): Promise<string> {
    // Two first sign-ins of one person at once: the loser finds the winner's link on its second try.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.tx.run((em) => this.resolveIn(em, provider, domains, identity, ip));
      } catch (error) {
        if (attempt === 2 || !(isUniqueViolation(error) || error instanceof EmailTakenError)) throw error;
      }
    }
  }

  private async resolveIn(em: EntityManager, provider: IdentityProvider, domains: string[], identity: VerifiedIdentity, ip: string | null): Promise<string> {
    const now = this.clock.now();
    const audit = (action: string, userId: string, details: Record<string, unknown> = {}) =>
      this.audit.record(
        {
          action,
          actorId: userId,
          targetType: 'user',
          targetId: userId,
          instituteId: provider.instituteId,
          ip,
          details: { providerId: provider.id, ...details },
        },
        em,
      );

    const link = await em.findOneBy(ExternalIdentity, { providerId: provider.id, subject: identity.subject });
    if (link) {
      await this.assertEnabled(em, link.userId);
      await this.refreshNames(em, link.userId, identity);
      await em.update(ExternalIdentity, { id: link.id }, { lastSignInAt: now });
      await audit('sso.sign_in', link.userId);
      return link.userId;
    }

    const email = identity.email ? normalizeEmail(identity.email) : null;
    const domain = email?.split('@')[1] ?? null;
    if (!email || !domain || !domains.includes(domain) || !identity.emailVerified) {
      throw ssoError('SSO_EMAIL_DOMAIN_NOT_ALLOWED', 'The identity provider may not vouch for this email address');
    }

    const existing = await this.users.findByEmail(email, em);
    let userId: string;
    if (existing) {
      userId = existing.id;
      if (existing.disabledAt) throw accountDisabled();
      // The institution's IdP vouches for addresses of its domains.
      await this.users.markEmailVerified(userId, now, em);
      await this.refreshNames(em, userId, identity);
    } else {
      if (provider.settings.jit !== JitPolicy.Create) throw ssoError('SSO_NO_ACCOUNT', 'No account for this person, and this provider creates none');
      userId = newId();
      await this.users.insert(
        {
          id: userId,
          email,
          firstName: clip(identity.firstName) || email.split('@')[0],
          lastName: clip(identity.lastName),
          passwordHash: null,
          emailVerifiedAt: now,
          createdById: null,
        },
        em,
      );
      const role = this.role(provider, identity);
      await this.directory.insert(em, provider.instituteId, { userId, role, status: MembershipStatus.Active, department: null, externalId: null, at: now });
      await audit('sso.user_created', userId, { role });
    }
    await em.insert(ExternalIdentity, { id: newId(), providerId: provider.id, subject: identity.subject, userId, lastSignInAt: now });
    await audit('sso.linked', userId);
    await audit('sso.sign_in', userId);
    return userId;
  }

  /** The mapped role of a new member; `manager` is never granted (rules only name student or teacher). */
  private role(provider: IdentityProvider, identity: VerifiedIdentity): MembershipRole {
    const rule = provider.settings.roleMapping.find((r) => identity.attributes[r.claim]?.some((v) => v.toLowerCase() === r.value.toLowerCase()));
    return (rule?.role ?? provider.settings.defaultRole) === 'teacher' ? MembershipRole.Teacher : MembershipRole.Student;
  }

  /** A disabled account signs in no more through an IdP than with a password. */
  private async assertEnabled(em: EntityManager, userId: string): Promise<void> {
    const user = await this.users.findById(userId, em);
    if (!user || user.disabledAt) throw accountDisabled();
  }

  private async refreshNames(em: EntityManager, userId: string, identity: VerifiedIdentity): Promise<void> {
    const changes: { firstName?: string; lastName?: string } = {};
    if (clip(identity.firstName)) changes.firstName = clip(identity.firstName);
    if (clip(identity.lastName)) changes.lastName = clip(identity.lastName);
    await this.users.updateProfile(userId, changes, em);
  }
}

function clip(name: string | null): string {
  return (name ?? '').trim().slice(0, 100);
}
