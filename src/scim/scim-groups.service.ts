import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, In, Not, Repository } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { anyOf } from '../common/sql';
import { Transactions } from '../common/transactions';
import { appConfig } from '../config/configuration';
import { classKey, MemberDirectoryService } from '../memberships/member-directory.service';
import { ScimGroup } from './entities/scim-group.entity';
import { ScimError } from './scim-error';
import { FilterField, setOnce } from './scim-filter';
import { applyPatch, parseBody, ScimTarget } from './scim-input';
import { assertIfMatch, listResponse, ListQuery, readList, withMeta } from './scim-resource';
import { GROUP_SCHEMA, GroupSchema, ScimResource } from './scim-schemas';
import { ScimCaller } from './scim-tokens.service';
import { newId } from '../common/ids';

type Json = Record<string, unknown>;

const GROUP_TARGET: ScimTarget = { schema: GroupSchema, extensions: [], kept: new Set(['displayname', 'externalid', 'members']) };

interface GroupCriteria {
  id?: string;
  displayName?: string;
  externalId?: string;
  memberId?: string;
}

const GROUP_FILTER: Record<string, FilterField<GroupCriteria>> = {
  id: (c, v) => setOnce(c, 'id', String(v)),
  displayname: (c, v) => setOnce(c, 'displayName', String(v)),
  externalid: (c, v) => setOnce(c, 'externalId', String(v)),
  'members.value': (c, v) => setOnce(c, 'memberId', String(v)),
};

interface DesiredGroup {
  displayName: string;
  externalId: string | null;
  /** SCIM ids of the members (membership ids). */
  members: string[];
}

function desiredGroup(g: Json): DesiredGroup {
  const displayName = typeof g.displayName === 'string' ? g.displayName.trim() : '';
  if (!displayName || displayName.length > 100) throw ScimError.invalidValue('displayName is required, at most 100 characters');
  const externalId = typeof g.externalId === 'string' ? g.externalId.trim() : '';
  if (externalId.length > 255) throw ScimError.invalidValue('externalId is longer than 255 characters');
  const members = Array.isArray(g.members) ? (g.members as Array<{ value?: unknown }>).map((m) => m?.value) : [];
  if (members.some((v) => typeof v !== 'string')) throw ScimError.invalidValue('members[].value must be the id of a User');
  return { displayName, externalId: externalId || null, members: [...new Set(members as string[])] };
}

/**
 * SCIM Groups (RFC 7643 §4.2) of the token's institute: each names a class,
 * and its members are the members whose `group` it is. Adding a user to a
 * group sets their class (moving them out of any other: one class each);
 * removing them clears it. A group is a row of its own, so it has a stable id
 * and exists before its first member.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly directory: MemberDirectoryService,
    @InjectRepository(ScimGroup) private readonly groups: Repository<ScimGroup>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  private get base(): string {
    return `${this.app.publicUrl}/scim/v2`;
  }

  /** The institute's groups with these names (compared as the database compares class names). */
  named(instituteId: string, names: readonly string[], em: EntityManager = this.groups.manager): Promise<ScimGroup[]> {
    if (!names.length) return Promise.resolve([]);
    return em.find(ScimGroup, { where: { instituteId, displayName: In(names) } });
  }

  async list(caller: ScimCaller, query: ListQuery) {
    const { criteria: asked, projection, startIndex, offset, limit } = readList(query, GROUP_SCHEMA, GROUP_FILTER);
    const criteria = asked && (await this.withMembersResolved(caller.instituteId, asked));
    if (criteria && !criteria.length) return listResponse([], 0, startIndex);
    const qb = this.groups.createQueryBuilder('g').where('g.instituteId = :instituteId', { instituteId: caller.instituteId });
    if (criteria) {
      qb.andWhere(
        anyOf(criteria, (all, c, i) => {
          if (c.id !== undefined) all.andWhere(`g.id = :id${i}`, { [`id${i}`]: c.id });
          if (c.displayName !== undefined) all.andWhere(`g.displayName = :name${i}`, { [`name${i}`]: c.displayName });
          if (c.externalId !== undefined) all.andWhere(`g.externalId = :ext${i}`, { [`ext${i}`]: c.externalId });
        }),
      );
    }
    const total = await qb.getCount();
    const rows = limit && offset < total ? await qb.orderBy('g.createdAt', 'ASC').addOrderBy('g.id', 'ASC').offset(offset).limit(limit).getMany() : [];
    return listResponse(await this.render(caller.instituteId, rows), total, startIndex, projection);
  }

  /** `members[value eq "…"]`: the group of that member's class, by name. */
  private async withMembersResolved(instituteId: string, criteria: GroupCriteria[]): Promise<GroupCriteria[]> {
    const out: GroupCriteria[] = [];
    for (const { memberId, ...rest } of criteria) {
      if (memberId === undefined) {
        out.push(rest);
        continue;
      }
      const group = (await this.directory.get(instituteId, memberId))?.group;
      if (!group || (rest.displayName !== undefined && classKey(rest.displayName) !== classKey(group))) continue;
      out.push({ ...rest, displayName: group });
    }
    return out;
  }

  async get(caller: ScimCaller, id: string): Promise<ScimResource> {
    const group = await this.groups.findOneBy({ id, instituteId: caller.instituteId });
    if (!group) throw ScimError.notFound(`Group ${id} not found`);
    return (await this.render(caller.instituteId, [group]))[0];
  }

  async create(caller: ScimCaller, body: unknown): Promise<ScimResource> {
    const desired = desiredGroup(parseBody(body, GROUP_TARGET));
    const id = newId();
    await this.tx.run(async (em) => {
      await this.directory.lockInstitute(em, caller.instituteId);
      await this.assertFree(em, caller.instituteId, desired, null);
      await em.insert(ScimGroup, { id, instituteId: caller.instituteId, displayName: desired.displayName, externalId: desired.externalId });
      await this.assertMembers(em, caller.instituteId, desired.members);
      await this.directory.setGroup(em, caller.instituteId, desired.members, desired.displayName);
      await this.record(em, caller, 'scim.group.created', id, { displayName: desired.displayName, added: desired.members });
    });
    return this.get(caller, id);
  }

  /** PUT: name, externalId and the whole member list. */
  async replace(caller: ScimCaller, id: string, body: unknown, ifMatch: string | undefined): Promise<ScimResource> {
    const desired = desiredGroup(parseBody(body, GROUP_TARGET));
    await this.change(caller, id, ifMatch, () => Promise.resolve(desired));
    return this.get(caller, id);
  }

  /** PATCH (answered 204: a class's member list is not sent back for each change). */
  async patch(caller: ScimCaller, id: string, body: unknown, ifMatch: string | undefined): Promise<void> {
    await this.change(caller, id, ifMatch, async (current) => {
      const { meta: _meta, ...resource } = current;
      return desiredGroup(await applyPatch(resource, body, GROUP_TARGET));
    });
  }

  /** DELETE: the group goes and its members are left without a class. */
  async remove(caller: ScimCaller, id: string, ifMatch: string | undefined): Promise<void> {
    await this.tx.run(async (em) => {
      await this.directory.lockInstitute(em, caller.instituteId);
      const group = await em.findOneBy(ScimGroup, { id, instituteId: caller.instituteId });
      if (!group) throw ScimError.notFound(`Group ${id} not found`);
      if (ifMatch !== undefined) assertIfMatch(ifMatch, (await this.render(caller.instituteId, [group], em))[0]);
      await this.directory.clearGroup(em, caller.instituteId, group.displayName);
      await em.delete(ScimGroup, { id });
      await this.record(em, caller, 'scim.group.removed', id, { displayName: group.displayName });
    });
  }

  private async change(caller: ScimCaller, id: string, ifMatch: string | undefined, desire: (current: ScimResource) => Promise<DesiredGroup>) {
    await this.tx.run(async (em) => {
      await this.directory.lockInstitute(em, caller.instituteId);
      const group = await em.findOneBy(ScimGroup, { id, instituteId: caller.instituteId });
      if (!group) throw ScimError.notFound(`Group ${id} not found`);
      const [current] = await this.render(caller.instituteId, [group], em);
      assertIfMatch(ifMatch, current);
      const desired = await desire(current);
      const before = new Set((current.members as Array<{ value: string }>).map((m) => m.value));
      const added = desired.members.filter((m) => !before.has(m));
      const removed = [...before].filter((m) => !desired.members.includes(m));
      const renamed = desired.displayName !== group.displayName;
      if (!renamed && desired.externalId === group.externalId && !added.length && !removed.length) return;

      await this.assertFree(em, caller.instituteId, desired, group.id);
      await this.assertMembers(em, caller.instituteId, added);
      if (renamed) await this.directory.renameGroup(em, caller.instituteId, group.displayName, desired.displayName);
      await this.directory.clearGroup(em, caller.instituteId, desired.displayName, removed);
      await this.directory.setGroup(em, caller.instituteId, added, desired.displayName);
      // Also when only members changed: lastModified and the version move with them.
      await em.update(ScimGroup, { id }, { displayName: desired.displayName, externalId: desired.externalId });
      await this.record(em, caller, 'scim.group.updated', id, {
        displayName: desired.displayName,
        ...(renamed ? { renamedFrom: group.displayName } : {}),
        added,
        removed,
      });
    });
  }

  /** 409 uniqueness when another group of the institute has the name or externalId. */
  private async assertFree(em: EntityManager, instituteId: string, desired: DesiredGroup, selfId: string | null): Promise<void> {
    const others = selfId ? { id: Not(selfId) } : {};
    if (await em.existsBy(ScimGroup, { instituteId, displayName: desired.displayName, ...others })) {
      throw new ScimError(409, 'uniqueness', `A group named "${desired.displayName}" exists already`);
    }
    if (desired.externalId !== null && (await em.existsBy(ScimGroup, { instituteId, externalId: desired.externalId, ...others }))) {
      throw new ScimError(409, 'uniqueness', 'Another group has this externalId');
    }
  }

  private async assertMembers(em: EntityManager, instituteId: string, ids: readonly string[]): Promise<void> {
    const found = await this.directory.existing(em, instituteId, ids);
    const unknown = ids.find((id) => !found.has(id));
    if (unknown !== undefined) throw ScimError.invalidValue(`members: ${unknown} is not a User of this institute`);
  }

  private record(em: EntityManager, caller: ScimCaller, action: string, groupId: string, details: Json): Promise<void> {
    return this.audit.record(
      {
        action,
        actorId: caller.tokenId,
        targetType: 'scim_group',
        targetId: groupId,
        instituteId: caller.instituteId,
        ip: caller.ip,
        details: { token: caller.tokenName, ...details },
      },
      em,
    );
  }

  private async render(instituteId: string, groups: ScimGroup[], em?: EntityManager): Promise<ScimResource[]> {
    const members = await this.directory.groupMembers(
      instituteId,
      groups.map((g) => g.displayName),
      em,
    );
    return groups.map((g) =>
      withMeta(
        {
          schemas: [GROUP_SCHEMA],
          id: g.id,
          ...(g.externalId !== null ? { externalId: g.externalId } : {}),
          displayName: g.displayName,
          members: (members.get(g.displayName) ?? []).map((m) => ({
            value: m.id,
            display: `${m.firstName} ${m.lastName}`.trim(),
            type: 'User',
            $ref: `${this.base}/Users/${m.id}`,
          })),
        },
        {
          resourceType: 'Group',
          created: g.createdAt.toISOString(),
          lastModified: new Date(Math.max(g.createdAt.getTime(), g.updatedAt.getTime())).toISOString(),
          location: `${this.base}/Groups/${g.id}`,
        },
      ),
    );
  }
}
