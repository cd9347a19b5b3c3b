import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { isEmail } from 'class-validator';
import { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { AuthMailService } from '../auth/auth-mail.service';
import { MembershipRole, MembershipStatus } from '../auth/roles';
import { InstituteSignIn } from '../auth/ports';
import { Clock } from '../common/clock';
import { toLocale } from '../common/locale';
import { Transactions } from '../common/transactions';
import { appConfig } from '../config/configuration';
import { InstitutesService } from '../institutes/institutes.service';
import { MailService } from '../mail/mail.service';
import { classKey, DirectoryMember, DirectoryMemberChanges, MemberCriteria, MemberDirectoryService } from '../memberships/member-directory.service';
import { normalizeEmail } from '../users/email';
import { UserProfiles } from '../users/user-profiles';
import { EmailTakenError, UsersService } from '../users/users.service';
import { ScimGroup } from './entities/scim-group.entity';
import { ScimError } from './scim-error';
import { FilterField, scimBoolean, setOnce } from './scim-filter';
import { ScimGroupsService } from './scim-groups.service';
import { applyPatch, parseBody, ScimTarget } from './scim-input';
import { assertIfMatch, listResponse, ListQuery, readList, withMeta } from './scim-resource';
import { ENTERPRISE_USER_SCHEMA, ScimResource, USER_SCHEMA, UserSchema } from './scim-schemas';
import { ScimCaller } from './scim-tokens.service';
import { newId } from '../common/ids';

type Json = Record<string, unknown>;

const DEPARTMENT = `${ENTERPRISE_USER_SCHEMA.toLowerCase()}:department`;

/** What a User keeps; directories' other attributes (phoneNumbers, title, addresses…) are accepted and not stored. */
const USER_TARGET: ScimTarget = {
  schema: UserSchema,
  extensions: [ENTERPRISE_USER_SCHEMA],
  kept: new Set(['username', 'emails', 'name', 'externalid', 'active', 'roles', DEPARTMENT, 'preferredlanguage', 'locale']),
};

const emailEq: FilterField<MemberCriteria> = (c, v) => setOnce(c, 'email', normalizeEmail(String(v)));

/** The filters directories send to find a user before creating or updating it. */
const USER_FILTER: Record<string, FilterField<MemberCriteria>> = {
  id: (c, v) => setOnce(c, 'id', String(v)),
  username: emailEq,
  'emails.value': emailEq,
  // Every user has exactly one email, of type work and primary.
  'emails.type': (_c, v) => String(v).toLowerCase() === 'work',
  'emails.primary': (_c, v) => scimBoolean(v) === true,
  externalid: (c, v) => setOnce(c, 'externalId', String(v)),
  active: (c, v) => {
    const active = scimBoolean(v);
    if (active === undefined) throw new ScimError(400, 'invalidFilter', 'active is compared with true or false');
    return setOnce(c, 'active', active);
  },
};

/** The account and membership a SCIM User asks for; undefined leaves a value as it is. */
interface DesiredUser {
  email: string;
  firstName?: string;
  lastName?: string;
  externalId: string | null;
  department: string | null;
  active?: boolean;
  role?: MembershipRole;
  locale: string;
}

const ROLES: Record<string, MembershipRole> = { student: MembershipRole.Student, teacher: MembershipRole.Teacher, manager: MembershipRole.Manager };

function text(value: unknown, attribute: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw ScimError.invalidValue(`${attribute} must be a string`);
  const trimmed = value.trim();
  if (trimmed.length > max) throw ScimError.invalidValue(`${attribute} is longer than ${max} characters`);
  return trimmed || undefined;
}

/**
 * One role per membership: manager whenever it is listed (so that asking for
 * it is refused, not ignored), else the role marked primary, else the highest
 * one listed (listing two never demotes).
 */
function roleOf(roles: unknown): MembershipRole | undefined {
  if (!Array.isArray(roles) || !roles.length) return undefined;
  const values = (roles as Array<{ value?: unknown; primary?: unknown }>).map((r) => {
    const role = typeof r?.value === 'string' ? ROLES[r.value.trim().toLowerCase()] : undefined;
    if (!role) throw ScimError.invalidValue(`roles: ${JSON.stringify(r?.value)} is not a role here (student or teacher)`);
    return { role, primary: r.primary === true };
  });
  const order = [MembershipRole.Manager, MembershipRole.Teacher, MembershipRole.Student];
  if (values.some((v) => v.role === MembershipRole.Manager)) return MembershipRole.Manager;
  return (values.find((v) => v.primary) ?? values.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role))[0]).role;
}

/** The address `emails` gives: the primary one, else the work one, else the first. */
function primaryEmail(emails: unknown): string | undefined {
  if (!Array.isArray(emails) || !emails.length) return undefined;
  const list = emails as Array<{ value?: unknown; type?: unknown; primary?: unknown }>;
  const chosen = list.find((e) => e?.primary === true) ?? list.find((e) => String(e?.type).toLowerCase() === 'work') ?? list[0];
  return typeof chosen?.value === 'string' ? chosen.value.trim() : undefined;
}

/** A string attribute, lower case, for comparing ('' when absent or not a string). */
function scimText(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

/** The role values of a `roles` attribute, lower case. */
function roleValues(roles: unknown): string[] {
  return Array.isArray(roles) ? (roles as Array<{ value?: unknown }>).map((r) => scimText(r?.value)) : [];
}

/**
 * A patched User as the directory meant it. The representation shows the
 * current role marked primary: a role the PATCH added replaces it (otherwise
 * `roles add teacher` would keep the student). The address may move through
 * `userName` or through `emails` (Okta and Entra send either): the other follows.
 */
function patchedUser(before: Json, after: Json): Json {
  const had = new Set(roleValues(before.roles));
  const added = Array.isArray(after.roles) ? (after.roles as Json[]).filter((r) => !had.has(scimText(r?.value))) : [];
  const roles = added.length ? added : after.roles;
  const [nameBefore, nameAfter] = [scimText(before.userName), scimText(after.userName)];
  const [emailBefore, emailAfter] = [primaryEmail(before.emails), primaryEmail(after.emails)];
  if (nameAfter !== nameBefore) return { ...after, roles, emails: undefined };
  if (emailAfter !== undefined && emailAfter !== emailBefore) return { ...after, roles, userName: emailAfter, emails: undefined };
  return { ...after, roles, emails: undefined };
}

/**
 * The values a validated SCIM User (plain JSON) asks for. An absent
 * externalId or department is cleared; absent names or active are left as
 * they are; absent roles take `rolesWhenAbsent` (undefined: left as they are).
 */
function desiredUser(u: Json, rolesWhenAbsent: MembershipRole | undefined): DesiredUser {
  const userName = text(u.userName, 'userName', 254);
  if (!userName || !isEmail(userName)) throw ScimError.invalidValue('userName must be the person’s email address');
  // One address per account: `emails` may repeat it, never name another one (which would be dropped).
  const email = primaryEmail(u.emails);
  if (email !== undefined && normalizeEmail(email) !== normalizeEmail(userName)) {
    throw ScimError.invalidValue('emails: an account has one address, its userName; send the new address as userName (and emails)');
  }
  const name = (u.name ?? {}) as Json;
  const extension = (u[ENTERPRISE_USER_SCHEMA] ?? {}) as Json;
  return {
    email: normalizeEmail(userName),
    firstName: text(name.givenName, 'name.givenName', 100),
    lastName: text(name.familyName, 'name.familyName', 100),
    externalId: text(u.externalId, 'externalId', 255) ?? null,
    department: text(extension.department, 'department', 100) ?? null,
    active: typeof u.active === 'boolean' ? u.active : undefined,
    role: roleOf(u.roles) ?? rolesWhenAbsent,
    locale: toLocale(text(u.preferredLanguage, 'preferredLanguage', 50) ?? text(u.locale, 'locale', 50)),
  };
}

/**
 * SCIM Users (RFC 7643 §4.1) of the token's institute: an account plus its
 * membership there. `id` is the membership's id, so the same person has a
 * different id in each institute and ids of other institutes are unknown
 * here (404). `userName` is the account's email: a person who already has
 * an account is attached to the institute, never given a second one.
 */

/**
 * A manager's account is managed in Oktonine: a directory may suspend or remove
 * the membership (someone left; the last-manager rule holds), but never renames
 * the account or moves its email, which would hand over its password reset.
 */
const MANAGER_MUTABILITY = () =>
  new ScimError(
    400,
    'mutability',
    'This person is a manager of the institute: their account’s userName and name are managed in Oktonine, not by the directory',
  );

@Injectable()
export class ScimUsersService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly directory: MemberDirectoryService,
    private readonly users: UsersService,
    private readonly profiles: UserProfiles,
    private readonly institutes: InstitutesService,
    private readonly groups: ScimGroupsService,
    private readonly signIn: InstituteSignIn,
    private readonly authMail: AuthMailService,
    private readonly mail: MailService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  private get base(): string {
    return `${this.app.publicUrl}/scim/v2`;
  }

  async list(caller: ScimCaller, query: ListQuery) {
    const { criteria, projection, startIndex, offset, limit } = readList(query, USER_SCHEMA, USER_FILTER);
    const page = await this.directory.find(caller.instituteId, criteria, { offset, limit });
    return listResponse(await this.render(caller.instituteId, page.items), page.total, startIndex, projection);
  }

  async get(caller: ScimCaller, id: string): Promise<ScimResource> {
    const member = await this.directory.get(caller.instituteId, id);
    if (!member) throw ScimError.notFound(`User ${id} not found`);
    return (await this.render(caller.instituteId, [member]))[0];
  }

  /**
   * A new member of the institute: the account with this email, or a new
   * verified account. A new account gets the set-password email unless the
   * institute signs in through its identity provider; an existing one is told
   * it was added. 409 uniqueness when the person is a member already.
   */
  async create(caller: ScimCaller, body: unknown): Promise<ScimResource> {
    const desired = desiredUser(parseBody(body, USER_TARGET), MembershipRole.Student);
    if (!desired.firstName || !desired.lastName) throw ScimError.invalidValue('name.givenName and name.familyName are required');
    if (desired.role === MembershipRole.Manager) throw ScimError.invalidValue('A directory never grants the manager role: use student or teacher');
    const institute = await this.institutes.get(caller.instituteId);
    const passwordMail = !(await this.signIn.usesIdentityProvider(caller.instituteId));
    // An account created at the same moment by another request is attached on the second try.
    for (let attempt = 1; ; attempt++) {
      try {
        const { id, mailIds } = await this.tx.run((em) => this.insert(em, caller, desired, institute.name, passwordMail));
        await this.mail.dispatch(mailIds);
        return this.get(caller, id);
      } catch (error) {
        if (!(error instanceof EmailTakenError)) throw error;
        if (attempt === 2) throw new ScimError(409, 'uniqueness', 'Another account has this userName');
      }
    }
  }

  private async insert(em: EntityManager, caller: ScimCaller, desired: DesiredUser, instituteName: string, passwordMail: boolean) {
    const now = this.clock.now();
    await this.directory.lockInstitute(em, caller.instituteId);
    const existing = await this.users.findByEmail(desired.email, em);
    const userId = existing?.id ?? newId();
    if (!existing) {
      await this.users.insert(
        {
          id: userId,
          email: desired.email,
          firstName: desired.firstName,
          lastName: desired.lastName,
          // The institute vouches for the people its directory creates.
          emailVerifiedAt: now,
          locale: desired.locale,
          createdById: null,
        },
        em,
      );
    }
    const role = desired.role ?? MembershipRole.Student;
    const id = await this.directory.insert(em, caller.instituteId, {
      userId,
      role,
      status: desired.active === false ? MembershipStatus.Suspended : MembershipStatus.Active,
      department: desired.department,
      externalId: desired.externalId,
      at: now,
    });
    await this.record(em, caller, existing ? 'scim.user.attached' : 'scim.user.created', userId, { scimId: id, role, active: desired.active !== false });
    const about = { type: 'user', id: userId, instituteId: caller.instituteId };
    const mailIds = existing
      ? await this.mail.record(
          [
            {
              to: existing.email,
              userId,
              about,
              template: 'added-to-institute',
              locale: existing.locale,
              context: { firstName: existing.firstName, instituteName, role },
            },
          ],
          em,
        )
      : passwordMail
        ? await this.authMail.record([{ userId, kind: 'set-password', context: { instituteName }, about }], em)
        : [];
    return { id, mailIds };
  }

  /** PUT: the body replaces the user (absent externalId and department are cleared; absent roles are kept). */
  replace(caller: ScimCaller, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimResource> {
    const desired = desiredUser(parseBody(body, USER_TARGET), undefined);
    return this.change(caller, id, ifMatch, () => Promise.resolve(desired));
  }

  /** PATCH: scimmy applies the operations to the current representation; removing `roles` makes the member a student. */
  patch(caller: ScimCaller, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimResource> {
    return this.change(caller, id, ifMatch, async (current) => {
      const { meta: _meta, ...resource } = current;
      return desiredUser(patchedUser(resource, await applyPatch(resource, body, USER_TARGET)), MembershipRole.Student);
    });
  }

  /** DELETE: the membership goes, the account stays. */
  async remove(caller: ScimCaller, id: string, ifMatch: string | undefined): Promise<void> {
    await this.tx.run(async (em) => {
      await this.directory.lockInstitute(em, caller.instituteId);
      const member = await this.directory.get(caller.instituteId, id, em);
      if (!member) throw ScimError.notFound(`User ${id} not found`);
      if (ifMatch !== undefined) assertIfMatch(ifMatch, (await this.render(caller.instituteId, [member], em))[0]);
      await this.directory.remove(em, member);
      await this.record(em, caller, 'scim.user.removed', member.userId, { scimId: id, role: member.role });
    });
  }

  /** Changes run under the institute's lock, so concurrent requests (and If-Match) see each other's result. */
  private async change(caller: ScimCaller, id: string, ifMatch: string | undefined, desire: (current: ScimResource) => Promise<DesiredUser>) {
    const mailIds = await this.tx.run(async (em) => {
      await this.directory.lockInstitute(em, caller.instituteId);
      const member = await this.directory.get(caller.instituteId, id, em);
      if (!member) throw ScimError.notFound(`User ${id} not found`);
      const [current] = await this.render(caller.instituteId, [member], em);
      assertIfMatch(ifMatch, current);
      return this.apply(em, caller, member, await desire(current));
    });
    await this.mail.dispatch(mailIds);
    return this.get(caller, id);
  }

  /** Applies a desired state in `em`; returns the mails to dispatch once it is committed. */
  private async apply(em: EntityManager, caller: ScimCaller, member: DirectoryMember, desired: DesiredUser): Promise<string[]> {
    const mailIds: string[] = [];
    const fields: string[] = [];
    const account: { email?: string; firstName?: string; lastName?: string } = {};
    if (desired.email !== member.email) account.email = desired.email;
    if (desired.firstName !== undefined && desired.firstName !== member.firstName) account.firstName = desired.firstName;
    if (desired.lastName !== undefined && desired.lastName !== member.lastName) account.lastName = desired.lastName;
    if (Object.keys(account).length) {
      // A manager's account reaches the whole institute (and could mint SCIM tokens): renaming it
      // or moving its email (which hands over the password reset) is not the directory's to do.
      if (member.role === MembershipRole.Manager) throw MANAGER_MUTABILITY();
      if (await this.usedOutsideInstitute(member)) {
        throw new ScimError(
          400,
          'mutability',
          'This person’s account is also used outside this institute (another institute, a company, platform staff): its userName and name are not changed by this directory',
        );
      }
      try {
        await this.users.updateProfile(member.userId, account, em);
      } catch (error) {
        if (error instanceof EmailTakenError) throw new ScimError(409, 'uniqueness', 'Another account has this userName');
        throw error;
      }
      // The old address is told, so a change it did not expect does not go unnoticed.
      if (account.email) {
        const [institute, person] = await Promise.all([this.institutes.find(caller.instituteId, em), this.users.findById(member.userId, em)]);
        mailIds.push(
          ...(await this.mail.record(
            [
              {
                to: member.email,
                userId: member.userId,
                template: 'email-changed',
                locale: person?.locale ?? null,
                context: { firstName: member.firstName, instituteName: institute?.name ?? '', newEmail: normalizeEmail(account.email) },
                about: { type: 'user', id: member.userId, instituteId: caller.instituteId },
              },
            ],
            em,
          )),
        );
      }
      fields.push(...Object.keys(account).map((k) => ({ email: 'userName', firstName: 'name.givenName', lastName: 'name.familyName' })[k]!));
    }

    const changes: DirectoryMemberChanges = {};
    if (desired.role !== undefined && desired.role !== member.role) {
      if (member.role === MembershipRole.Manager) throw new ScimError(400, 'mutability', 'A manager’s role is managed in Oktonine, not by the directory');
      if (desired.role === MembershipRole.Manager) throw ScimError.invalidValue('A directory never grants the manager role: use student or teacher');
      changes.role = desired.role;
    }
    if (desired.department !== member.department) changes.department = desired.department;
    if (desired.externalId !== member.externalId) changes.externalId = desired.externalId;
    await this.directory.update(em, member, changes);
    fields.push(...Object.keys(changes).map((k) => (k === 'role' ? 'roles' : k)));
    if (fields.length) await this.record(em, caller, 'scim.user.updated', member.userId, { scimId: member.id, fields });

    if (desired.active !== undefined && (await this.directory.setActive(em, member, desired.active, this.clock.now()))) {
      await this.record(em, caller, desired.active ? 'scim.user.reactivated' : 'scim.user.suspended', member.userId, { scimId: member.id });
    }
    return mailIds;
  }

  /**
   * An account that is also a member elsewhere, a company's professional or
   * staff belongs to more than this institute: its directory does not rename
   * it or change its email (which would also hand it the password reset).
   */
  private async usedOutsideInstitute(member: DirectoryMember): Promise<boolean> {
    const [user, profile] = await Promise.all([this.users.findById(member.userId), this.profiles.sections(member.userId)]);
    return Boolean(user?.isStaff) || profile.company !== null || profile.memberships.some((m) => m.institute.id !== member.instituteId);
  }

  private record(em: EntityManager, caller: ScimCaller, action: string, userId: string, details: Json): Promise<void> {
    return this.audit.record(
      {
        action,
        actorId: caller.tokenId,
        targetType: 'user',
        targetId: userId,
        instituteId: caller.instituteId,
        ip: caller.ip,
        details: { token: caller.tokenName, ...details },
      },
      em,
    );
  }

  private async render(instituteId: string, members: DirectoryMember[], em?: EntityManager): Promise<ScimResource[]> {
    const names = [...new Set(members.map((m) => m.group).filter((g): g is string => g !== null))];
    const groups = await this.groups.named(instituteId, names, em);
    const groupOf = (name: string | null): ScimGroup | undefined =>
      name === null ? undefined : groups.find((g) => classKey(g.displayName) === classKey(name));
    return members.map((m) => this.toResource(m, groupOf(m.group)));
  }

  private toResource(m: DirectoryMember, group: ScimGroup | undefined): ScimResource {
    const displayName = `${m.firstName} ${m.lastName}`.trim();
    return withMeta(
      {
        schemas: m.department !== null ? [USER_SCHEMA, ENTERPRISE_USER_SCHEMA] : [USER_SCHEMA],
        id: m.id,
        ...(m.externalId !== null ? { externalId: m.externalId } : {}),
        userName: m.email,
        name: { givenName: m.firstName, familyName: m.lastName, formatted: displayName },
        displayName,
        emails: [{ value: m.email, type: 'work', primary: true }],
        active: m.status === MembershipStatus.Active,
        roles: [{ value: m.role, primary: true }],
        ...(group ? { groups: [{ value: group.id, display: group.displayName, $ref: `${this.base}/Groups/${group.id}`, type: 'direct' }] } : {}),
        ...(m.department !== null ? { [ENTERPRISE_USER_SCHEMA]: { department: m.department } } : {}),
      },
      { resourceType: 'User', created: m.createdAt.toISOString(), lastModified: m.updatedAt.toISOString(), location: `${this.base}/Users/${m.id}` },
    );
  }
}
