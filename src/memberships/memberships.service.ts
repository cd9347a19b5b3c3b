import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, EntityManager, In, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AccessService } from '../auth/access.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { AuthUser } from '../auth/auth.types';
import { InstituteMembership } from '../auth/ports';
import { Clock } from '../common/clock';
import { AppError } from '../common/errors/app-error';
import { isUniqueViolation } from '../common/errors/db-errors';
import { keysetCondition, keysetQuery, Page, pageOf } from '../common/pagination';
import { insertRows, insertSkippingDuplicates, LIKE_ESCAPE, likeLiteral, rawDate, selectIn, sqlDate } from '../common/sql';
import { Transactions } from '../common/transactions';
import { Institute } from '../institutes/entities/institute.entity';
import { InstitutesService } from '../institutes/institutes.service';
import { MailService } from '../mail/mail.service';
import { MeMembershipDto } from '../users/dto/me.dto';
import { foldName, normalizeEmail } from '../users/email';
import { User } from '../users/entities/user.entity';
import { UserAccountsService } from '../users/user-accounts.service';
import { UserProfiles } from '../users/user-profiles';
import { UsersService } from '../users/users.service';
import { AddMemberDto, BulkMembersDto, BulkMembersResultDto, ListMembersQueryDto, MemberResponseDto, UpdateMemberDto } from './dto/membership.dto';
import { MEMBER_SEARCH_INDEXES, Membership, MembershipRole, MembershipStatus } from './entities/membership.entity';
import { MEMBER_SEARCH_COLUMNS, syncMemberSearch } from './member-search';
import { newId } from '../common/ids';

export interface Actor {
  user: AuthUser;
  /** The caller's active membership in the route's institute (absent for staff who are not members). */
  membership?: InstituteMembership;
  ip: string | null;
  locale: string;
}

/** One invitation resent per person per minute at most. */
export const INVITATION_RESEND_INTERVAL_MS = 60_000;

const memberNotFound = () => AppError.notFound('MEMBER_NOT_FOUND', 'This user is not a member of this institute');

function toResponse(
  m: Pick<Membership, 'userId' | 'instituteId' | 'role' | 'status' | 'group' | 'department' | 'createdAt' | 'validatedAt'>,
  u: Pick<User, 'firstName' | 'lastName' | 'email'>,
): MemberResponseDto {
  return {
    userId: m.userId,
    instituteId: m.instituteId,
    firstName: u.firstName,
    lastName: u.lastName,
    email: u.email,
    role: m.role,
    status: m.status,
    group: m.group,
    department: m.department,
    createdAt: m.createdAt.toISOString(),
    validatedAt: m.validatedAt ? m.validatedAt.toISOString() : null,
  };
}

/** A member as the list reads it: the membership and its account's names, one plain row. */
interface MemberRow {
  id: string;
  userId: string;
  instituteId: string;
  role: MembershipRole;
  status: MembershipStatus;
  groupName: string | null;
  department: string | null;
  createdAt: Date | string;
  validatedAt: Date | string | null;
  firstName: string;
  lastName: string;
  email: string;
}

/**
 * Above this many matches (counted over the searched keys), a members search reads the
 * institute newest first instead: its matches' index entries would all be read and sorted (and,
 * with a filter on role, status, group or department, each one's row), where `search=s` matches
 * everyone. On a first page without a filter, each key's range is read up to one entry more
 * than this by the statement that reads the page, which says how many it found. With a filter
 * (which reads each match's row) or a cursor (whose condition skips entries without counting
 * them toward the cap), they are counted first from the indexes alone, 5,001 at most each.
 */
const SEARCH_MATCHES = 5000;

/** A search's LIKE pattern on one of the membership's search keys (member-search.ts). */
type SearchPrefix = [column: keyof typeof MEMBER_SEARCH_INDEXES, pattern: string];

const MEMBER_ROW_COLUMNS =
  'm.id, m.userId, m.instituteId, m.role, m.status, m.groupName, m.department, m.createdAt, m.validatedAt, u.firstName, u.lastName, u.email';
const MEMBER_ROW_FROM = 'FROM memberships m INNER JOIN users u ON u.id = m.userId';

function memberRowResponse(r: MemberRow): MemberResponseDto {
  return toResponse(
    { ...r, group: r.groupName, createdAt: rawDate(r.createdAt)!, validatedAt: rawDate(r.validatedAt) },
    { firstName: r.firstName, lastName: r.lastName, email: r.email },
  );
}

/** The User <--> Institute relation: join, list, change role, detach. */
export interface BulkMembership {
  id: string;
  userId: string;
  group: string | null;
  department: string | null;
}

/** A membership of an account created in the same transaction, with the account's email and folded names as just written. */
export interface NewAccountMembership extends BulkMembership {
  keys: readonly [email: string, firstName: string, lastName: string];
}

const BULK_COLUMNS = ['id', 'userId', 'instituteId', 'role', 'status', 'groupName', 'department', 'createdById', 'validatedById', 'validatedAt'];

function bulkRows(em: EntityManager, instituteId: string, rows: BulkMembership[], actorId: string | null, at: Date): unknown[][] {
  const validatedAt = sqlDate(em, at);
  return rows.map((r) => [r.id, r.userId, instituteId, MembershipRole.Student, MembershipStatus.Active, r.group, r.department, actorId, actorId, validatedAt]);
}

@Injectable()
export class MembershipsService implements OnModuleInit {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly accounts: UserAccountsService,
    private readonly users: UsersService,
    private readonly access: AccessService,
    private readonly profiles: UserProfiles,
    private readonly institutes: InstitutesService,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @InjectRepository(Membership) private readonly memberships: Repository<Membership>,
  ) {}

  onModuleInit() {
    this.profiles.contribute('memberships', (userId) => this.forProfile(userId));
    this.users.onProfileChange((em, userId) => syncMemberSearch(em, 'userId', [userId]));
  }

  /**
   * Attaches an existing user (`userId`) or creates one (`user`) and attaches it
   * in the same transaction. Teachers may only attach students.
   */
  async add(instituteId: string, dto: AddMemberDto, actor: Actor): Promise<MemberResponseDto> {
    if (Boolean(dto.userId) === Boolean(dto.user)) {
      throw AppError.validation([{ field: 'userId', message: 'give either userId or user, not both' }], 'Give either userId or user');
    }
    this.assertMayGrant(actor, dto.role);
    const institute = await this.institutes.get(instituteId);
    const membership = {
      id: newId(),
      instituteId,
      role: dto.role,
      status: MembershipStatus.Active,
      group: dto.group ?? null,
      department: dto.department ?? null,
      createdById: actor.user.id,
      validatedById: actor.user.id,
      validatedAt: new Date(),
    };

    if (dto.user) {
      const prepared = await this.accounts.prepare(dto.user, actor.user.id, actor.locale);
      await this.tx.run(async (em) => {
        await this.accounts.insert(em, prepared, actor.ip, instituteId);
        await this.insertMembership(em, { ...membership, userId: prepared.row.id }, actor);
      });
      if (prepared.needsPassword) {
        // About the institute too: its managers see the mail in the institute's mail log.
        await this.authMail.sendMany([
          {
            userId: prepared.row.id,
            kind: 'set-password',
            context: { instituteName: institute.name },
            about: { type: 'user', id: prepared.row.id, instituteId },
          },
        ]);
      }
      return this.getMember(instituteId, prepared.row.id);
    }

    const user = await this.users.findById(dto.userId!);
    if (!user || !(await this.access.canSeeAccount(actor.user, user))) throw AppError.notFound('USER_NOT_FOUND', 'User not found');
    await this.tx.run((em) => this.insertMembership(em, { ...membership, userId: user.id }, actor));
    if (!(await this.creatorBelongsTo(user, instituteId))) {
      await this.mail.send({
        to: user.email,
        userId: user.id,
        about: { type: 'user', id: user.id, instituteId },
        template: 'added-to-institute',
        locale: user.locale,
        context: { firstName: user.firstName, instituteName: institute.name, role: dto.role },
      });
    }
    return this.getMember(instituteId, user.id);
  }

  async list(instituteId: string, query: ListMembersQueryDto): Promise<Page<MemberResponseDto>> {
    const email = likeLiteral(normalizeEmail(query.search ?? ''));
    const name = likeLiteral(foldName(query.search ?? ''));
    const prefixes: SearchPrefix[] = [];
    if (email) {
      prefixes.push(['searchEmail', `${email}%`]);
      if (name) prefixes.push(['searchLastName', `${name}%`], ['searchFirstName', `${name}%`]);
    }
    // A filter reads each match's row, and a cursor skips the matches before it without
    // counting them toward a range's cap: then the matches are counted first, from the indexes alone.
    const countFirst = Boolean(query.role || query.status || query.group || query.department || query.cursor);
    if (!prefixes.length || !this.tx.isMysql || (countFirst && !(await this.fewMembersMatch(instituteId, prefixes)))) {
      return this.newestFirst(instituteId, query, prefixes);
    }
    // The matches first, if there are few (SEARCH_MATCHES). UNION ALL spares the temporary table
    // that removes a member matched twice (by the email and a name). Such a member comes back
    // twice, side by side; only when that leaves a full page short is the page read again with UNION.
    const fast = await this.listRows(instituteId, query, prefixes, 'UNION ALL');
    if (fast.matches > SEARCH_MATCHES) return this.newestFirst(instituteId, query, prefixes);
    const rows = fast.rows.filter((r, i) => i === 0 || r.id !== fast.rows[i - 1].id);
    if (rows.length === fast.rows.length || fast.rows.length <= fast.limit) return this.pageOfRows(rows, fast.limit);
    // Capped like the first read: members added meanwhile could take a range past its cap.
    const again = await this.listRows(instituteId, query, prefixes, 'UNION');
    if (again.matches > SEARCH_MATCHES) return this.newestFirst(instituteId, query, prefixes);
    return this.pageOfRows(again.rows, again.limit);
  }

  /** A page read newest first from the institute's members, each one's keys checked (see listRows). */
  private async newestFirst(instituteId: string, query: ListMembersQueryDto, prefixes: SearchPrefix[]): Promise<Page<MemberResponseDto>> {
    const { rows, limit } = await this.listRows(instituteId, query, prefixes, null);
    return this.pageOfRows(rows, limit);
  }

  private pageOfRows(rows: MemberRow[], limit: number): Promise<Page<MemberResponseDto>> {
    return pageOf(
      rows,
      limit,
      (r) => ({ at: rawDate(r.createdAt)!, id: r.id }),
      (page) => page.map(memberRowResponse),
    );
  }

  /**
   * One page of members, newest first. With a search, `union` names how its matches are read
   * (MySQL, few of them: see list()); null reads the institute newest first.
   */
  private async listRows(
    instituteId: string,
    query: ListMembersQueryDto,
    prefixes: SearchPrefix[],
    union: 'UNION' | 'UNION ALL' | null,
  ): Promise<{ rows: MemberRow[]; limit: number; matches: number }> {
    const members = () => {
      const qb = this.memberships.createQueryBuilder('m').where('m.instituteId = :instituteId', { instituteId });
      if (query.role) qb.andWhere('m.role = :role', { role: query.role });
      if (query.status) qb.andWhere('m.status = :status', { status: query.status });
      if (query.group) qb.andWhere('m.groupName = :group', { group: query.group });
      if (query.department) qb.andWhere('m.department = :department', { department: query.department });
      return qb;
    };
    const keyset = { at: 'm.createdAt', id: 'm.id', order: 'DESC', query, defaultLimit: 50 } as const;
    let page: [sql: string, parameters: unknown[]];
    let limit: number;
    if (union) {
      // Each key's matches in the institute, from its (instituteId, key, createdAt) index: the
      // entries carry the sort key and the id, so no row is read unless a filter needs it. The
      // newest of them, past the cursor, make the page. Each key reads SEARCH_MATCHES + 1 of
      // them at most, and the page carries how many there were in all (a member matched by two
      // keys counts twice with UNION ALL): more than SEARCH_MATCHES, and the page is not used
      // (with a filter or a cursor, fewMembersMatch has already said there are not).
      const ranges = prefixes.map(([column, pattern]) =>
        keysetCondition(members().useIndex(MEMBER_SEARCH_INDEXES[column]).andWhere(`m.${column} LIKE :pattern ${LIKE_ESCAPE}`, { pattern }), keyset)
          .select('m.id', 'id')
          .addSelect('m.createdAt', 'createdAt')
          .getQueryAndParameters(),
      );
      limit = query.limit ?? keyset.defaultLimit;
      page = [
        `SELECT matched.id AS pageId, COUNT(*) OVER () AS matches FROM (${ranges.map(([sql]) => `(${sql} LIMIT ${SEARCH_MATCHES + 1})`).join(` ${union} `)}) matched ` +
          `ORDER BY matched.createdAt DESC, matched.id DESC LIMIT ${limit + 1}`,
        ranges.flatMap(([, parameters]): unknown[] => parameters),
      ];
    } else {
      // Many members match (a letter or two), or SQLite, whose LIKE reads no index: the
      // institute's members are read newest first and each one's keys checked, which stops
      // once the page is full.
      const qb = members();
      if (prefixes.length)
        qb.andWhere(
          new Brackets((w) => prefixes.forEach(([column, pattern], i) => w.orWhere(`m.${column} LIKE :r${i} ${LIKE_ESCAPE}`, { [`r${i}`]: pattern }))),
        );
      // Deferred join: the page's ids come from the (instituteId, createdAt, id) index alone, a
      // range scan from the cursor (a derived table); only its rows and their users are then read,
      // by primary key, in the same statement. Selecting whole rows in the page's own query makes
      // MariaDB scan the institute from its newest member.
      qb.select('m.id', 'pageId');
      limit = keysetQuery(qb, keyset);
      page = qb.getQueryAndParameters();
    }
    const rows = await this.memberships.query<Array<MemberRow & { matches?: number | string }>>(
      `SELECT ${MEMBER_ROW_COLUMNS}${union ? ', page.matches' : ''} ${MEMBER_ROW_FROM} INNER JOIN (${page[0]}) page ON page.pageId = m.id ORDER BY m.createdAt DESC, m.id DESC`,
      page[1],
    );
    return { rows, limit, matches: Number(rows[0]?.matches ?? 0) };
  }

  /**
   * Whether at most SEARCH_MATCHES members of the institute match a search's keys in all
   * (a member matched by two counts twice), counted from the keys' indexes alone, at most
   * SEARCH_MATCHES + 1 entries each.
   */
  private async fewMembersMatch(instituteId: string, prefixes: SearchPrefix[]): Promise<boolean> {
    const capped = prefixes
      .map(
        ([column], i) =>
          `SELECT id FROM (SELECT id FROM memberships USE INDEX (${MEMBER_SEARCH_INDEXES[column]}) ` +
          `WHERE instituteId = ? AND ${column} LIKE ? ${LIKE_ESCAPE} LIMIT ${SEARCH_MATCHES + 1}) r${i}`,
      )
      .join(' UNION ALL ');
    const [{ n }] = await this.memberships.query<Array<{ n: number | string }>>(
      `SELECT COUNT(*) AS n FROM (${capped}) matched`,
      prefixes.flatMap(([, pattern]) => [instituteId, pattern]),
    );
    return Number(n) <= SEARCH_MATCHES;
  }

  async getMember(instituteId: string, userId: string): Promise<MemberResponseDto> {
    const m = await this.memberships.findOne({ where: { instituteId, userId }, relations: { user: true } });
    if (!m) throw memberNotFound();
    return toResponse(m, m.user!);
  }

  /** Role, group, department. An institute never loses its last active manager. */
  async update(instituteId: string, userId: string, dto: UpdateMemberDto, actor: Actor): Promise<MemberResponseDto> {
    const changed = await this.tx.run(async (em) => {
      await this.lockInstitute(em, instituteId);
      const m = await em.findOneBy(Membership, { instituteId, userId });
      if (!m) throw memberNotFound();
      const changes: Partial<Membership> = {};
      if (dto.role !== undefined && dto.role !== m.role) changes.role = dto.role;
      if (dto.group !== undefined) changes.group = dto.group;
      if (dto.department !== undefined) changes.department = dto.department;
      if (changes.role && m.role === MembershipRole.Manager && m.status === MembershipStatus.Active) {
        await this.assertAnotherManager(em, instituteId, userId);
      }
      if (Object.keys(changes).length) await em.update(Membership, { id: m.id }, changes);
      if (changes.role) {
        await this.audit.record(
          {
            action: 'member.role_changed',
            actorId: actor.user.id,
            targetType: 'user',
            targetId: userId,
            instituteId,
            ip: actor.ip,
            details: { from: m.role, to: changes.role },
          },
          em,
        );
      } else if (Object.keys(changes).length) {
        await this.audit.record(
          {
            action: 'member.updated',
            actorId: actor.user.id,
            targetType: 'user',
            targetId: userId,
            instituteId,
            ip: actor.ip,
            details: { fields: Object.keys(changes) },
          },
          em,
        );
      }
      return changes.role ? { from: m.role, to: changes.role } : null;
    });
    if (changed) {
      const [user, institute] = await Promise.all([this.users.findById(userId).then((u) => u!), this.institutes.get(instituteId)]);
      await this.mail.send({
        to: user.email,
        userId: user.id,
        about: { type: 'user', id: user.id, instituteId },
        template: 'role-changed',
        locale: user.locale,
        context: { firstName: user.firstName, instituteName: institute.name, role: changed.to, previousRole: changed.from },
      });
    }
    return this.getMember(instituteId, userId);
  }

  async remove(instituteId: string, userId: string, actor: Actor): Promise<void> {
    await this.tx.run(async (em) => {
      await this.lockInstitute(em, instituteId);
      const m = await em.findOneBy(Membership, { instituteId, userId });
      if (!m) throw memberNotFound();
      if (m.role === MembershipRole.Manager && m.status === MembershipStatus.Active) await this.assertAnotherManager(em, instituteId, userId);
      await em.delete(Membership, { id: m.id });
      await this.audit.record(
        { action: 'member.removed', actorId: actor.user.id, targetType: 'user', targetId: userId, instituteId, ip: actor.ip, details: { role: m.role } },
        em,
      );
    });
  }

  /**
   * One action on many members in one transaction: set role, group and/or
   * department, or detach. Members not in the institute fail with
   * MEMBER_NOT_FOUND; a change that would leave the institute without an active
   * manager fails with LAST_MANAGER for that member (the others go through).
   * Each change is audited.
   */
  async bulk(instituteId: string, dto: BulkMembersDto, actor: Actor): Promise<BulkMembersResultDto> {
    const changes: Partial<Membership> = {};
    if (dto.action === 'update') {
      if (dto.role !== undefined) changes.role = dto.role;
      if (dto.group !== undefined) changes.group = dto.group;
      if (dto.department !== undefined) changes.department = dto.department;
      if (!Object.keys(changes).length) throw AppError.validation([{ field: 'role', message: 'give role, group or department to update' }]);
    }
    const roleChanges: Array<{ userId: string; from: MembershipRole; to: MembershipRole }> = [];
    const result = await this.tx.run(async (em) => {
      await this.lockInstitute(em, instituteId);
      const rows = await em.find(Membership, { where: { instituteId, userId: In(dto.userIds) } });
      const byUser = new Map(rows.map((m) => [m.userId, m]));
      const failed: Array<{ userId: string; code: string }> = [];
      let managersLeft = await em.countBy(Membership, { instituteId, role: MembershipRole.Manager, status: MembershipStatus.Active });
      const chosen: Membership[] = [];
      for (const userId of dto.userIds) {
        const m = byUser.get(userId);
        if (!m) {
          failed.push({ userId, code: 'MEMBER_NOT_FOUND' });
          continue;
        }
        const losesManager =
          m.role === MembershipRole.Manager &&
          m.status === MembershipStatus.Active &&
          (dto.action === 'detach' || (changes.role !== undefined && changes.role !== m.role));
        if (losesManager) {
          if (managersLeft <= 1) {
            failed.push({ userId, code: 'LAST_MANAGER' });
            continue;
          }
          managersLeft -= 1;
        }
        chosen.push(m);
      }
      const ids = chosen.map((m) => m.id);
      const base = { actorId: actor.user.id, targetType: 'user', instituteId, ip: actor.ip };
      if (ids.length && dto.action === 'detach') {
        for (let i = 0; i < ids.length; i += 1000) await em.delete(Membership, { id: In(ids.slice(i, i + 1000)) });
        await this.audit.recordMany(
          chosen.map((m) => ({ ...base, action: 'member.removed', targetId: m.userId, details: { role: m.role, bulk: true } })),
          em,
        );
      } else if (ids.length) {
        for (let i = 0; i < ids.length; i += 1000) await em.update(Membership, { id: In(ids.slice(i, i + 1000)) }, changes);
        await this.audit.recordMany(
          chosen.map((m) => {
            if (changes.role !== undefined && changes.role !== m.role) {
              roleChanges.push({ userId: m.userId, from: m.role, to: changes.role });
              return {
                ...base,
                action: 'member.role_changed',
                targetId: m.userId,
                details: { from: m.role, to: changes.role, fields: Object.keys(changes), bulk: true },
              };
            }
            return { ...base, action: 'member.updated', targetId: m.userId, details: { fields: Object.keys(changes), bulk: true } };
          }),
          em,
        );
      }
      return { updated: chosen.length, failed };
    });
    if (roleChanges.length) {
      const institute = await this.institutes.get(instituteId);
      const profiles = new Map((await this.users.mailProfiles(roleChanges.map((c) => c.userId))).map((p) => [p.userId, p]));
      await this.mail.sendMany(
        roleChanges.flatMap((c) => {
          const p = profiles.get(c.userId);
          if (!p) return [];
          return [
            {
              to: p.email,
              userId: c.userId,
              about: { type: 'user', id: c.userId, instituteId },
              template: 'role-changed',
              locale: p.locale,
              context: { firstName: p.firstName, instituteName: institute.name, role: c.to, previousRole: c.from },
            },
          ];
        }),
      );
    }
    return result;
  }

  /**
   * Resends the invitation of an active member: the set-password email while the
   * account has no password, else the welcome to the institute. At most one a
   * minute per person (429 INVITATION_RECENTLY_SENT).
   */
  async resendInvitation(instituteId: string, userId: string, actor: Actor): Promise<void> {
    const m = await this.memberships.findOneBy({ instituteId, userId });
    if (!m) throw memberNotFound();
    if (m.status !== MembershipStatus.Active) throw AppError.conflict('MEMBER_NOT_ACTIVE', 'Only an active member can be invited again');
    const [profile] = await this.users.mailProfiles([userId]);
    if (!profile) throw memberNotFound();
    if (!(await this.users.claimInvitation(userId, this.clock.now(), INVITATION_RESEND_INTERVAL_MS))) {
      throw new AppError(429, 'INVITATION_RECENTLY_SENT', 'An invitation was sent to this member less than a minute ago', undefined, { 'Retry-After': '60' });
    }
    const institute = await this.institutes.get(instituteId);
    const about = { type: 'user', id: userId, instituteId };
    if (!profile.hasPassword) {
      await this.authMail.sendMany([{ userId, kind: 'set-password', context: { instituteName: institute.name }, about }]);
    } else {
      await this.mail.send({
        to: profile.email,
        userId,
        about,
        template: 'added-to-institute',
        locale: profile.locale,
        context: { firstName: profile.firstName, instituteName: institute.name, role: m.role },
      });
    }
    await this.audit.record({
      action: 'member.invitation_resent',
      actorId: actor.user.id,
      targetType: 'user',
      targetId: userId,
      instituteId,
      ip: actor.ip,
      details: { template: profile.hasPassword ? 'added-to-institute' : 'set-password' },
    });
  }

  /** Managers give any role; teachers only `student`; staff anything. */
  private assertMayGrant(actor: Actor, role: MembershipRole) {
    if (actor.user.isStaff || actor.membership?.role === MembershipRole.Manager) return;
    if (actor.membership?.role === MembershipRole.Teacher && role === MembershipRole.Student) return;
    throw AppError.forbidden('ROLE_NOT_ALLOWED', `You may not attach a user as ${role}`);
  }

  private async insertMembership(em: EntityManager, row: Partial<Membership>, actor: Actor): Promise<void> {
    try {
      await em.insert(Membership, row);
    } catch (error) {
      if (isUniqueViolation(error)) throw AppError.conflict('ALREADY_MEMBER', 'This user is already a member of this institute');
      throw error;
    }
    await syncMemberSearch(em, 'id', [row.id!]);
    await this.audit.record(
      {
        action: 'member.added',
        actorId: actor.user.id,
        targetType: 'user',
        targetId: row.userId,
        instituteId: row.instituteId,
        ip: actor.ip,
        details: { role: row.role },
      },
      em,
    );
  }

  /**
   * Serialises changes to one institute's managers: the row lock is taken first
   * in the transaction, so the count that follows sees every committed change
   * (two managers demoting each other at once cannot both succeed).
   */
  async lockInstitute(em: EntityManager, instituteId: string): Promise<void> {
    if (this.tx.isMysql) {
      const rows = await em.query<Array<{ id: string }>>('SELECT id FROM institutes WHERE id = ? FOR UPDATE', [instituteId]);
      if (!rows.length) throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
    } else if (!(await em.existsBy(Institute, { id: instituteId }))) {
      throw AppError.notFound('INSTITUTE_NOT_FOUND', 'Institute not found');
    }
  }

  /** LAST_MANAGER unless another active manager remains; call after `lockInstitute` in the same transaction. */
  async assertAnotherManager(em: EntityManager, instituteId: string, exceptUserId: string): Promise<void> {
    const others = await em
      .createQueryBuilder(Membership, 'm')
      .where('m.instituteId = :instituteId AND m.role = :manager AND m.status = :active AND m.userId <> :userId', {
        instituteId,
        manager: MembershipRole.Manager,
        active: MembershipStatus.Active,
        userId: exceptUserId,
      })
      .getCount();
    if (others === 0) throw AppError.conflict('LAST_MANAGER', 'The institute would be left without an active manager');
  }

  /** The memberships of an account, for GET /api/me. */
  async forProfile(userId: string): Promise<MeMembershipDto[]> {
    const rows = await this.memberships.find({ where: { userId }, relations: { institute: true }, order: { createdAt: 'ASC' } });
    return rows.map((m) => ({
      institute: { id: m.instituteId, name: m.institute!.name },
      role: m.role,
      status: m.status,
      group: m.group,
      department: m.department,
    }));
  }

  /** A self-registered teacher's request to join: a pending membership, in the registration's transaction. */
  /** An active membership written in the caller's transaction (an approved institute request's first manager). */
  async addActive(em: EntityManager, userId: string, instituteId: string, role: MembershipRole, actorId: string): Promise<void> {
    const now = this.clock.now();
    const id = newId();
    await em.insert(Membership, {
      id,
      userId,
      instituteId,
      role,
      status: MembershipStatus.Active,
      createdById: actorId,
      validatedById: actorId,
      validatedAt: now,
    });
    await syncMemberSearch(em, 'id', [id]);
    await this.audit.record({ action: 'member.added', actorId, targetType: 'user', targetId: userId, instituteId, details: { role } }, em);
  }

  async addPending(em: EntityManager, userId: string, instituteId: string, role: MembershipRole): Promise<void> {
    const id = newId();
    await em.insert(Membership, { id, userId, instituteId, role, status: MembershipStatus.Pending, createdById: userId });
    await syncMemberSearch(em, 'id', [id]);
  }

  /**
   * The user ids of an institute's members (any role or status) as a sub-query, for
   * another module's list to filter on without loading them: `x.userId IN (sql)`.
   */
  memberIdsQuery(instituteId: string): { sql: string; params: { memberInstituteId: string } } {
    return { sql: 'SELECT ms.userId FROM memberships ms WHERE ms.instituteId = :memberInstituteId', params: { memberInstituteId: instituteId } };
  }

  /** Which of `userIds` are members of the institute (any role or status), through the (userId, instituteId) index. */
  async membersAmong(instituteId: string, userIds: readonly string[]): Promise<Set<string>> {
    const rows = await selectIn<{ userId: string }>(
      this.memberships.manager,
      (p) => `SELECT userId FROM memberships WHERE instituteId = ? AND userId IN (${p})`,
      userIds,
      [instituteId],
    );
    return new Set(rows.map((r) => r.userId));
  }

  /** The active managers of an institute (who validate its teachers). */
  activeManagers(em: EntityManager, instituteId: string): Promise<User[]> {
    return em
      .createQueryBuilder(User, 'u')
      .innerJoin(Membership, 'm', 'm.userId = u.id')
      .where('m.instituteId = :id AND m.role = :manager AND m.status = :active', {
        id: instituteId,
        manager: MembershipRole.Manager,
        active: MembershipStatus.Active,
      })
      .getMany();
  }

  /**
   * An import chunk's memberships (active students), multi-row INSERTs skipping duplicates
   * per 1,000 rows: a user already a member is left alone. Returns the id of each
   * user's membership after the insert, ours or the one that was there.
   */
  async insertMissing(em: EntityManager, instituteId: string, rows: BulkMembership[], actorId: string | null, at: Date): Promise<Map<string, string>> {
    await insertSkippingDuplicates(em, 'memberships', BULK_COLUMNS, bulkRows(em, instituteId, rows, actorId, at));
    // Only the rows inserted here have these ids: a membership already there is left alone.
    await syncMemberSearch(
      em,
      'id',
      rows.map((r) => r.id),
    );
    return this.idsByUser(
      em,
      instituteId,
      rows.map((r) => r.userId),
    );
  }

  /**
   * Memberships of accounts created in the caller's transaction: none can exist yet, a plain
   * INSERT, with the search keys the accounts were just written with.
   */
  async insertForNewAccounts(em: EntityManager, instituteId: string, rows: NewAccountMembership[], actorId: string | null, at: Date): Promise<void> {
    const values = bulkRows(em, instituteId, rows, actorId, at);
    for (let i = 0; i < rows.length; i++) values[i].push(...rows[i].keys);
    await insertRows(em, 'memberships', [...BULK_COLUMNS, ...MEMBER_SEARCH_COLUMNS], values);
  }

  /** Membership id by user id, for the users who are members of the institute. */
  async idsByUser(em: EntityManager, instituteId: string, userIds: readonly string[]): Promise<Map<string, string>> {
    const found = await selectIn<{ id: string; userId: string }>(
      em,
      (p) => `SELECT id, userId FROM memberships WHERE instituteId = ? AND userId IN (${p})`,
      userIds,
      [instituteId],
    );
    return new Map(found.map((m) => [m.userId, m.id]));
  }

  private async creatorBelongsTo(user: User, instituteId: string): Promise<boolean> {
    if (!user.createdById) return false;
    return this.memberships.existsBy({ userId: user.createdById, instituteId, status: MembershipStatus.Active });
  }
}
