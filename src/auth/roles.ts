/**
 * The access model the guard enforces: roles are held per institute, through
 * an active membership. Defined here, below every feature module, because
 * `@Auth({ institute: [...] })` names them; `memberships/` stores them.
 */
export enum MembershipRole {
  Student = 'student',
  Teacher = 'teacher',
  Manager = 'manager',
}

export enum MembershipStatus {
  Pending = 'pending',
  Active = 'active',
  Rejected = 'rejected',
  /** Set by the institute's directory (SCIM `active: false`): the member keeps the membership but cannot act in the institute. */
  Suspended = 'suspended',
}
