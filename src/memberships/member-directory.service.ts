import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Repository } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { anyOf } from '../common/sql';
import { normalizeEmail } from '../users/email';
import { User } from '../users/entities/user.entity';
import { Membership, MembershipRole, MembershipStatus } from './entities/membership.entity';
import { MembershipsService } from './memberships.service';
import { newId } from '../common/ids';
import { syncMemberSearch } from './member-search';

/** A member as an institute's directory sees it: the account and its membership in that institute. */
export interface DirectoryMember {
  /** The membership's id: what the directory calls the user. */
  id: string;
  instituteId: string;
  userId: string;
  email: string;
  firstName: string;
  lastName: string;
  role: MembershipRole;
  status: MembershipStatus;
  group: string | null;
  department: string | null;
  externalId: string | null;
  createdAt: Date;
  /** The later of the account's and the membership's last change. */
  updatedAt: Date;
}

/** One conjunction of a directory query; a query matches the members satisfying any of its terms. */
export interface MemberCriteria {
  id?: string;
  email?: string;
  externalId?: string;
  group?: string;
  active?: boolean;
}

export interface NewDirectoryMember {
  userId: string;
  role: MembershipRole;
  status: MembershipStatus;
  department: string | null;
  externalId: string | null;
  at: Date;
}

export type DirectoryMemberChanges = Partial<Pick<Membership, 'role' | 'department' | 'externalId'>>;

const CHUNK = 1000;

/** How the database compares class names (utf8mb4_unicode_ci): case, accents and trailing spaces ignored. */
export function classKey(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trimEnd();
}

const externalIdTaken = () => AppError.conflict('EXTERNAL_ID_TAKEN', 'Another member of this institute has this externalId');

function toMember(m: Membership): DirectoryMember {
  const u = m.user!;
  return {
    id: m.id,
    instituteId: m.instituteId,
    userId: m.userId,
    email: u.email,
    firstName: u.firstName,
    lastName: u.lastName,
    role: m.role,
    status: m.status,
    group: m.group,
    department: m.department,
    externalId: m.externalId,
    createdAt: m.createdAt,
    // Updates store whole seconds (TypeORM sets CURRENT_TIMESTAMP): never report a change before the creation.
    updatedAt: new Date(Math.max(m.createdAt.getTime(), m.updatedAt.getTime(), u.updatedAt.getTime())),
  };
}

/**
 * The memberships of one institute as its directory (SCIM) reads and writes
 * them. Writes take the caller's transaction; those that can change who
 * manages the institute expect `lockInstitute` to have been called in it, so
 * the last-manager rule sees every committed change.
 */
@Injectable()
export class MemberDirectoryService {
  constructor(
    private readonly members: MembershipsService,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
  ) {}

  lockInstitute(em: EntityManager, instituteId: string): Promise<void> {
    return this.members.lockInstitute(em, instituteId);
  }

  /** A page of the institute's members, oldest first, matching any of `criteria` (null: everyone). */
  async find(
    instituteId: string,
    criteria: MemberCriteria[] | null,
    page: { offset: number; limit: number },
    em: EntityManager = this.memberships.manager,
  ): Promise<{ total: number; items: DirectoryMember[] }> {
    if (criteria && !criteria.length) return { total: 0, items: [] };
    const qb = em.createQueryBuilder(Membership, 'm').innerJoinAndSelect('m.user', 'u').where('m.instituteId = :instituteId', { instituteId });
    if (criteria) {
      qb.andWhere(
        anyOf(criteria, (all, c, i) => {
          if (c.id !== undefined) all.andWhere(`m.id = :id${i}`, { [`id${i}`]: c.id });
          if (c.email !== undefined) all.andWhere(`u.email = :email${i}`, { [`email${i}`]: normalizeEmail(c.email) });
          if (c.externalId !== undefined) all.andWhere(`m.externalId = :ext${i}`, { [`ext${i}`]: c.externalId });
          if (c.group !== undefined) all.andWhere(`m.groupName = :group${i}`, { [`group${i}`]: c.group });
          if (c.active !== undefined) all.andWhere(`m.status ${c.active ? '=' : '<>'} :active${i}`, { [`active${i}`]: MembershipStatus.Active });
        }),
      );
    }
    const total = await qb.getCount();
    if (!page.limit || page.offset >= total) return { total, items: [] };
    const rows = await qb.orderBy('m.createdAt', 'ASC').addOrderBy('m.id', 'ASC').offset(page.offset).limit(page.limit).getMany();
    return { total, items: rows.map(toMember) };
  }

  async get(instituteId: string, id: string, em: EntityManager = this.memberships.manager): Promise<DirectoryMember | null> {
    const m = await em.findOne(Membership, { where: { id, instituteId }, relations: { user: true } });
    return m ? toMember(m) : null;
  }

  /** The membership of an account in the institute, if any. */
  async ofUser(instituteId: string, userId: string, em: EntityManager = this.memberships.manager): Promise<DirectoryMember | null> {
    const m = await em.findOne(Membership, { where: { userId, instituteId }, relations: { user: true } });
    return m ? toMember(m) : null;
  }

  /** 409 ALREADY_MEMBER, or EXTERNAL_ID_TAKEN when another member has the same externalId. */
  async insert(em: EntityManager, instituteId: string, member: NewDirectoryMember): Promise<string> {
    if (await em.existsBy(Membership, { instituteId, userId: member.userId })) {
      throw AppError.conflict('ALREADY_MEMBER', 'This user is already a member of this institute');
    }
    if (member.externalId !== null && (await em.existsBy(Membership, { instituteId, externalId: member.externalId }))) throw externalIdTaken();
    const id = newId();
    try {
      await em.insert(Membership, {
        id,
        instituteId,
        userId: member.userId,
        role: member.role,
        status: member.status,
        department: member.department,
        externalId: member.externalId,
        validatedAt: member.at,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw AppError.conflict('ALREADY_MEMBER', 'This user is already a member of this institute');
      throw error;
    }
    await syncMemberSearch(em, 'id', [id]);
    return id;
  }

  async update(em: EntityManager, member: DirectoryMember, changes: DirectoryMemberChanges): Promise<void> {
    if (!Object.keys(changes).length) return;
    if (changes.role !== undefined && member.role === MembershipRole.Manager && member.status === MembershipStatus.Active) {
      await this.members.assertAnotherManager(em, member.instituteId, member.userId);
    }
    if (changes.externalId) {
      const holder = await em.findOne(Membership, { select: { id: true }, where: { instituteId: member.instituteId, externalId: changes.externalId } });
      if (holder && holder.id !== member.id) throw externalIdTaken();
    }
    try {
      await em.update(Membership, { id: member.id }, changes);
    } catch (error) {
      if (isUniqueViolation(error)) throw externalIdTaken();
      throw error;
    }
  }

  /**
   * `active: false` suspends an active membership (LAST_MANAGER for the last
   * active manager); `active: true` makes the membership active whatever its
   * state: the institute's own directory vouches for the person. False when
   * nothing changed.
   */
  async setActive(em: EntityManager, member: DirectoryMember, active: boolean, at: Date): Promise<boolean> {
    if (active) {
      if (member.status === MembershipStatus.Active) return false;
      const validated = member.status === MembershipStatus.Suspended ? {} : { validatedAt: at, validatedById: null, rejectionReason: null };
      await em.update(Membership, { id: member.id }, { status: MembershipStatus.Active, ...validated });
      return true;
    }
    if (member.status !== MembershipStatus.Active) return false;
    if (member.role === MembershipRole.Manager) await this.members.assertAnotherManager(em, member.instituteId, member.userId);
    await em.update(Membership, { id: member.id }, { status: MembershipStatus.Suspended });
    return true;
  }

  /** Removes the membership (never the account); LAST_MANAGER for the last active manager. */
  async remove(em: EntityManager, member: DirectoryMember): Promise<void> {
    if (member.role === MembershipRole.Manager && member.status === MembershipStatus.Active) {
      await this.members.assertAnotherManager(em, member.instituteId, member.userId);
    }
    await em.delete(Membership, { id: member.id });
  }

  /** Of `ids`, those that are memberships of the institute. */
  async existing(em: EntityManager, instituteId: string, ids: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (let i = 0; i < ids.length; i += CHUNK) {
      const rows = await em.find(Membership, { select: { id: true }, where: { instituteId, id: In(ids.slice(i, i + CHUNK)) } });
      for (const r of rows) found.add(r.id);
    }
    return found;
  }

  /** Puts members in a class (a member is in one class at most: this moves them out of any other). */
  async setGroup(em: EntityManager, instituteId: string, ids: readonly string[], group: string): Promise<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await em.update(Membership, { instituteId, id: In(ids.slice(i, i + CHUNK)) }, { group });
    }
  }

  /** Takes members out of `group`: those of `ids`, or all of them. */
  async clearGroup(em: EntityManager, instituteId: string, group: string, ids?: readonly string[]): Promise<void> {
    if (!ids) {
      await em.update(Membership, { instituteId, group }, { group: null });
      return;
    }
    for (let i = 0; i < ids.length; i += CHUNK) {
      await em.update(Membership, { instituteId, group, id: In(ids.slice(i, i + CHUNK)) }, { group: null });
    }
  }

  async renameGroup(em: EntityManager, instituteId: string, from: string, to: string): Promise<void> {
    await em.update(Membership, { instituteId, group: from }, { group: to });
  }

  /** The members of each named class, oldest first, keyed by the names as given. */
  async groupMembers(
    instituteId: string,
    groups: readonly string[],
    em: EntityManager = this.memberships.manager,
  ): Promise<Map<string, Array<Pick<DirectoryMember, 'id' | 'firstName' | 'lastName'>>>> {
    const out = new Map(groups.map((g) => [g, [] as Array<Pick<DirectoryMember, 'id' | 'firstName' | 'lastName'>>]));
    if (!groups.length) return out;
    const byKey = new Map(groups.map((g) => [classKey(g), g]));
    const rows = await em
      .createQueryBuilder(Membership, 'm')
      .innerJoin(User, 'u', 'u.id = m.userId')
      .select('m.id', 'id')
      .addSelect('m.groupName', 'groupName')
      .addSelect('u.firstName', 'firstName')
      .addSelect('u.lastName', 'lastName')
      .where('m.instituteId = :instituteId AND m.groupName IN (:...groups)', { instituteId, groups })
      .orderBy('m.createdAt', 'ASC')
      .addOrderBy('m.id', 'ASC')
      .getRawMany<{ id: string; groupName: string; firstName: string; lastName: string }>();
    for (const { groupName, ...member } of rows) {
      const asked = byKey.get(classKey(groupName));
      if (asked !== undefined) out.get(asked)!.push(member);
    }
    return out;
  }
}
