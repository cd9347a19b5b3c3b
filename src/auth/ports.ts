import type { EntityManager } from 'typeorm';
import { MembershipRole, MembershipStatus } from './roles';

/**
 * What `auth/` needs from the modules above it, as ports it defines and they
 * implement (`users/` the accounts, `memberships/` the roles per institute).
 * AppModule binds them (`AuthModule.forRoot({ imports })`), so auth imports no
 * feature module and every feature module may use auth's guard and services.
 */

/** An account as sign-in and access checks see it. */
export interface Account {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  locale: string;
  isStaff: boolean;
  emailVerifiedAt: Date | null;
  /** Carried in access tokens; bumped on password reset/change so older tokens fail at once. */
  tokenVersion: number;
  /** Set by staff: sign-in and tokens are refused. */
  disabledAt: Date | null;
  createdById: string | null;
  createdAt: Date;
}

export interface AccountWithSecret extends Account {
  passwordHash: string | null;
}

export interface NewPassword {
  hash: string;
  /** Refuse every token issued before (reset, change). */
  revokeTokens: boolean;
  /** A reset ends a lockout. */
  clearLockout?: boolean;
  /** Following a link sent to the address proves the address. */
  verifyEmail?: Date;
}

export abstract class AccountStore {
  abstract findById(id: string): Promise<Account | null>;
  abstract findByIdWithSecret(id: string): Promise<AccountWithSecret | null>;
  abstract findByEmailWithSecret(email: string): Promise<AccountWithSecret | null>;
  /** Read from the email index alone: the same work whether or not the address has an account. */
  abstract idByEmail(email: string): Promise<string | null>;
  abstract setPassword(userId: string, password: NewPassword, em?: EntityManager): Promise<void>;
  abstract markEmailVerified(userId: string, at: Date, em?: EntityManager): Promise<void>;
  /**
   * Reserves one login attempt with conditional UPDATEs (so parallel attempts
   * cannot exceed `max`); locks for `lockMs` when the count reaches `max`.
   * False when the account is locked.
   */
  abstract reserveLoginAttempt(userId: string, max: number, lockMs: number, now: Date): Promise<boolean>;
  abstract clearLoginFailures(userId: string): Promise<void>;
}

/** A caller's membership in one institute, as the guard checks it. */
export interface InstituteMembership {
  role: MembershipRole;
  status: MembershipStatus;
}

export abstract class InstituteAccess {
  abstract membership(userId: string, instituteId: string): Promise<InstituteMembership | null>;
  /** An active membership with one of `roles` in any institute. */
  abstract hasActiveRole(userId: string, roles: MembershipRole[]): Promise<boolean>;
  /** The caller holds one of `roles` (active) in an institute where `userId` is a member. */
  abstract sharesInstitute(callerId: string, userId: string, roles: MembershipRole[]): Promise<boolean>;
  abstract isMemberAnywhere(userId: string): Promise<boolean>;
  /** The institute exists (any status). */
  abstract instituteExists(instituteId: string): Promise<boolean>;
}

/**
 * How an institute's people sign in, as provisioning needs to know it: a
 * person created by the directory gets a set-password email unless the
 * institute signs in through its identity provider (SSO), where a password
 * would be one more secret nobody uses. `sso/` implements it; AppModule hands
 * it to `scim/` (`ScimModule.forRoot({ imports })`).
 */
export abstract class InstituteSignIn {
  abstract usesIdentityProvider(instituteId: string): Promise<boolean>;
}
