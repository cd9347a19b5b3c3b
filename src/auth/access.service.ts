import { Injectable } from '@nestjs/common';
import { InstituteAccess, InstituteMembership } from './ports';
import { MembershipRole } from './roles';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Roles that see the members of their institute. */
const MEMBER_VIEWERS = [MembershipRole.Manager, MembershipRole.Teacher];

/** The membership lookups behind every authorisation decision, read per request. */
@Injectable()
export class AccessService {
  constructor(private readonly institutes: InstituteAccess) {}

  membershipIn(userId: string, instituteId: string): Promise<InstituteMembership | null> {
    if (!isUuid(instituteId)) return Promise.resolve(null);
    return this.institutes.membership(userId, instituteId);
  }

  instituteExists(instituteId: string): Promise<boolean> {
    return this.institutes.instituteExists(instituteId);
  }

  hasActiveRoleAnywhere(userId: string, roles: MembershipRole[]): Promise<boolean> {
    return this.institutes.hasActiveRole(userId, roles);
  }

  /**
   * Who may see an account: staff, the person, managers/teachers of an
   * institute where the person is a member, or its creator while it belongs
   * nowhere. Anyone else gets 404 for it.
   */
  async canSeeAccount(caller: { id: string; isStaff: boolean }, target: { id: string; createdById: string | null }): Promise<boolean> {
    if (caller.isStaff || caller.id === target.id) return true;
    if (await this.institutes.sharesInstitute(caller.id, target.id, MEMBER_VIEWERS)) return true;
    return target.createdById === caller.id && !(await this.institutes.isMemberAnywhere(target.id));
  }
}
