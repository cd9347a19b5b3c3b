import type { InstituteMembership } from './ports';
import { MembershipRole } from './roles';

/** Who is calling, read from the database on every request (not from the token). */
export interface AuthUser {
  id: string;
  email: string;
  isStaff: boolean;
}

/** The rule a route declares with @Auth(); the global guard enforces it. */
export interface AuthRule {
  /** Platform staff pass. With nothing else set, only staff pass. */
  staff?: boolean;
  /** Roles allowed inside the route's :instituteId (active membership). Staff always pass. */
  institute?: MembershipRole[];
  /** Roles allowed in any institute where the caller is an active member (e.g. "Create a user"). */
  anyInstitute?: MembershipRole[];
}

export interface AuthenticatedRequest {
  user: AuthUser;
  /** The caller's active membership in the route's institute, when the rule names one. */
  membership?: InstituteMembership;
  params: Record<string, string>;
  ip?: string;
}
