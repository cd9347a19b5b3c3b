import Redis from 'ioredis';
import { PassThrough } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { Logger } from 'nestjs-pino';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { sha256 } from '../../src/auth/token-hash';
import { LOG_DESTINATION } from '../../src/common/log-destination';
import { Membership, MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { seedMembership, seedUser, signedIn, STRONG_PASSWORD, uniqueEmail, login } from '../support/factories';
import { TEST_REDIS_URL } from '../support/infra';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

type Signed = Awaited<ReturnType<typeof signedIn>>;

const PUBLIC_URL = 'https://api.oktonine.test';
const RATE_LIMIT = 60;
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * SCIM 2.0 provisioning over HTTP against MariaDB: the request sequences of
 * Entra ID's and Okta's provisioning services, and the rules around them.
 */
describe('SCIM provisioning (/scim/v2)', () => {
  let t: TestApp;
  let staff: Signed;
  let logs = '';

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => (logs += chunk.toString()));
    LOG_DESTINATION.stream = stream;
    t = await createTestApp({ env: { PUBLIC_URL, SCIM_THROTTLE_LIMIT: String(RATE_LIMIT), LOG_LEVEL: 'info' } });
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
    LOG_DESTINATION.stream = undefined;
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** A SCIM client holding `token`, sending application/scim+json like directories do. */
  function client(token: string) {
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' };
    return {
      get: (path: string) => t.http().get(`/scim/v2${path}`).set(headers),
      post: (path: string, body: object) => t.http().post(`/scim/v2${path}`).set(headers).send(JSON.stringify(body)),
      put: (path: string, body: object) => t.http().put(`/scim/v2${path}`).set(headers).send(JSON.stringify(body)),
      patch: (path: string, ...operations: object[]) =>
        t
          .http()
          .patch(`/scim/v2${path}`)
          .set(headers)
          .send(JSON.stringify({ schemas: [PATCH_OP], Operations: operations })),
      delete: (path: string) => t.http().delete(`/scim/v2${path}`).set(headers),
    };
  }

  /** An institute with an active manager and a SCIM token the manager created. */
  async function school() {
    const created = await t
      .http()
      .post('/api/institutes')
      .set(as(staff.token))
      .send({ name: `School ${uniqueEmail('s').slice(2, 12)}`, city: 'Lyon' })
      .expect(201);
    const id: string = created.body.id;
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, id, MembershipRole.Manager);
    const token = await t.http().post(`/api/institutes/${id}/scim-tokens`).set(as(manager.token)).send({ name: 'Entra ID' }).expect(201);
    return { id, manager, tokenId: token.body.id as string, token: token.body.token as string, scim: client(token.body.token) };
  }

  /** The body Entra ID's provisioning service POSTs (its default attribute mappings). */
  function entraUser(email: string, extra: Record<string, unknown> = {}) {
    return {
      schemas: [USER, ENTERPRISE],
      externalId: `entra-${email}`,
      userName: email,
      active: true,
      displayName: 'Ada Lovelace',
      title: 'Student',
      preferredLanguage: 'en-GB',
      emails: [{ primary: true, type: 'work', value: email }],
      meta: { resourceType: 'User' },
      name: { formatted: 'Ada Lovelace', familyName: 'Lovelace', givenName: 'Ada' },
      phoneNumbers: [{ type: 'mobile', value: '+33 6 00 00 00 00' }],
      addresses: [{ type: 'work', locality: 'Lyon', country: 'FR' }],
      roles: [],
      [ENTERPRISE]: { employeeNumber: '42', department: 'Sciences' },
      ...extra,
    };
  }

  async function membership(userId: string, instituteId: string) {
    return t.dataSource.getRepository(Membership).findOneBy({ userId, instituteId });
  }

  async function auditActions(instituteId: string, actorId: string): Promise<string[]> {
    const rows = await t.dataSource.getRepository(AuditEntry).find({ where: { instituteId, actorId }, order: { createdAt: 'ASC' } });
    return rows.map((r) => r.action);
  }

  describe('tokens', () => {
    it('managers and staff create, list and revoke them; the value is shown once and stored hashed; a revoked token is refused at once', async () => {
      const s = await school();
      const teacher = await signedIn(t);
      await seedMembership(t, teacher.id, s.id, MembershipRole.Teacher);
      const outsider = await signedIn(t);

      const listed = await t.http().get(`/api/institutes/${s.id}/scim-tokens`).set(as(s.manager.token)).expect(200);
      expect(listed.body).toEqual([{ id: s.tokenId, name: 'Entra ID', createdAt: expect.any(String), lastUsedAt: null }]);
      expect(s.token).toMatch(/^oktscim_[\w-]{43}$/);
      const stored: Array<{ tokenHash: string }> = await t.dataSource.query('SELECT tokenHash FROM scim_tokens WHERE id = ?', [s.tokenId]);
      expect(stored).toEqual([{ tokenHash: sha256(s.token) }]);

      await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(teacher.token)).send({ name: 'x' }).expect(403);
      await t.http().get(`/api/institutes/${s.id}/scim-tokens`).set(as(teacher.token)).expect(403);
      await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(outsider.token)).send({ name: 'x' }).expect(404);
      await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(s.manager.token)).send({ name: '' }).expect(400);
      const byStaff = await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(staff.token)).send({ name: 'Okta' }).expect(201);

      await s.scim.get('/ServiceProviderConfig').expect(200);
      const used = await t.http().get(`/api/institutes/${s.id}/scim-tokens`).set(as(staff.token)).expect(200);
      expect(used.body.map((x: { name: string }) => x.name)).toEqual(['Okta', 'Entra ID']);
      expect(used.body[1].lastUsedAt).toEqual(expect.any(String));
      expect(used.body[0]).not.toHaveProperty('token');

      await t.http().delete(`/api/institutes/${s.id}/scim-tokens/${s.tokenId}`).set(as(s.manager.token)).expect(204);
      const refused = await s.scim.get('/Users').expect(401);
      expect(refused.body).toMatchObject({ schemas: [ERROR], status: '401' });
      await client(byStaff.body.token).get('/Users').expect(200);
      await t.http().delete(`/api/institutes/${s.id}/scim-tokens/${s.tokenId}`).set(as(s.manager.token)).expect(404);
      expect(await auditActions(s.id, s.manager.id)).toEqual(['scim.token_created', 'scim.token_revoked']);
    });

    it('documents the token routes and /scim/v2 in /docs-json', async () => {
      const doc = await t.http().get('/docs-json').expect(200);
      const paths = doc.body.paths as Record<string, Record<string, { security?: unknown; responses: Record<string, { content: object }> }>>;
      expect(Object.keys(paths['/api/institutes/{instituteId}/scim-tokens']).sort()).toEqual(['get', 'post']);
      expect(Object.keys(paths['/api/institutes/{instituteId}/scim-tokens/{tokenId}'])).toEqual(['delete']);
      expect(paths['/api/institutes/{instituteId}/scim-tokens'].post.security).toEqual([{ bearer: [] }]);
      // /scim/v2 is in the document too, as application/scim+json behind a SCIM token (its discovery endpoints say more).
      expect(paths['/scim/v2/Users'].get.security).toEqual([{ scim: [] }]);
      expect(Object.keys(paths['/scim/v2/Users'].get.responses[200].content)).toEqual(['application/scim+json']);
    });

    it('a token of one institute sees nothing of another (404) and changes nothing there', async () => {
      const a = await school();
      const b = await school();
      const user = (await a.scim.post('/Users', entraUser(uniqueEmail('a'))).expect(201)).body;
      const group = (await a.scim.post('/Groups', { schemas: [GROUP], displayName: '3B', members: [{ value: user.id }] }).expect(201)).body;
      const { userId } = await t.dataSource.getRepository(Membership).findOneByOrFail({ id: user.id });

      await b.scim.get(`/Users/${user.id}`).expect(404);
      await b.scim.put(`/Users/${user.id}`, entraUser(user.userName, { name: { givenName: 'X', familyName: 'Y' } })).expect(404);
      await b.scim.patch(`/Users/${user.id}`, { op: 'replace', path: 'active', value: false }).expect(404);
      await b.scim.delete(`/Users/${user.id}`).expect(404);
      expect((await b.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${user.userName}"`)}`).expect(200)).body.totalResults).toBe(0);
      expect((await b.scim.get('/Users').expect(200)).body.totalResults).toBe(1); // b's own manager only
      await b.scim.get(`/Groups/${group.id}`).expect(404);
      await b.scim.patch(`/Groups/${group.id}`, { op: 'remove', path: 'members' }).expect(404);
      await b.scim.delete(`/Groups/${group.id}`).expect(404);
      const own = (await b.scim.post('/Groups', { schemas: [GROUP], displayName: '3B' }).expect(201)).body;
      const refused = await b.scim.patch(`/Groups/${own.id}`, { op: 'add', path: 'members', value: [{ value: user.id }] }).expect(400);
      expect(refused.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidValue' });

      expect(await membership(userId, a.id)).toMatchObject({ status: MembershipStatus.Active, group: '3B', externalId: user.externalId });
      expect(await t.dataSource.getRepository(Membership).countBy({ userId })).toBe(1);
    });
  });

  describe('discovery', () => {
    it('answers the RFC 7644 discovery documents as application/scim+json, to a token only', async () => {
      const s = await school();
      const config = await s.scim.get('/ServiceProviderConfig').expect(200);
      expect(config.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(config.body).toMatchObject({
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 200 },
        etag: { supported: true },
        sort: { supported: false },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
        meta: { location: `${PUBLIC_URL}/scim/v2/ServiceProviderConfig` },
      });
      const types = await s.scim.get('/ResourceTypes').expect(200);
      expect(types.body.Resources).toEqual([
        expect.objectContaining({ id: 'User', endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] }),
        expect.objectContaining({ id: 'Group', endpoint: '/Groups', schema: GROUP }),
      ]);
      await s.scim.get('/ResourceTypes/User').expect(200);
      const schemas = await s.scim.get('/Schemas').expect(200);
      expect(schemas.body.Resources.map((x: { id: string }) => x.id)).toEqual([USER, ENTERPRISE, GROUP]);
      const user = await s.scim.get(`/Schemas/${USER}`).expect(200);
      expect(user.body.attributes.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['userName', 'name', 'emails', 'active', 'roles']));
      await s.scim.get('/Schemas/urn:nope').expect(404);

      const anonymous = await t.http().get('/scim/v2/Users').expect(401);
      expect(anonymous.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(anonymous.body).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
      await t.http().get('/scim/v2/Users').set(as('oktscim_not-a-token')).expect(401);
      // An access token of the institute's manager is not a SCIM token.
      await t.http().get('/scim/v2/Users').set(as(s.manager.token)).expect(401);
      const unknown = await s.scim.get('/Nope').expect(404);
      expect(unknown.body).toMatchObject({ schemas: [ERROR], status: '404' });
      const malformed = await t.http().post('/scim/v2/Users').set(as(s.token)).set('Content-Type', 'application/scim+json').send('{"userName": ').expect(400);
      expect(malformed.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidSyntax' });
    });
  });

  describe("Entra ID's provisioning sequence", () => {
    it('creates, finds, updates, suspends, reactivates, groups and deletes a teacher; the person acts in the institute only while active', async () => {
      const s = await school();
      const email = uniqueEmail('entra');
      const byUserName = (name: string) => `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`;

      // Match: nobody yet.
      const none = await s.scim.get(byUserName(email)).expect(200);
      expect(none.body).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
        totalResults: 0,
        startIndex: 1,
        itemsPerPage: 0,
        Resources: [],
      });

      // Create, with the app role "teacher" as Entra sends app role assignments.
      const created = await s.scim
        .post(
          '/Users',
          entraUser(email.toUpperCase(), { roles: [{ primary: true, type: 'WindowsAzureActiveDirectoryRole', display: 'Teacher', value: 'Teacher' }] }),
        )
        .expect(201);
      const id: string = created.body.id;
      expect(created.headers.location).toBe(`${PUBLIC_URL}/scim/v2/Users/${id}`);
      expect(created.headers.etag).toBe(created.body.meta.version);
      expect(created.body).toEqual({
        schemas: [USER, ENTERPRISE],
        id,
        externalId: `entra-${email.toUpperCase()}`,
        userName: email,
        name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
        displayName: 'Ada Lovelace',
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
        roles: [{ value: 'teacher', primary: true }],
        [ENTERPRISE]: { department: 'Sciences' },
        meta: {
          resourceType: 'User',
          created: expect.any(String),
          lastModified: expect.any(String),
          location: `${PUBLIC_URL}/scim/v2/Users/${id}`,
          version: expect.stringMatching(/^W\/".+"$/),
        },
      });
      const account = await t.dataSource.getRepository(User).findOneByOrFail({ email });
      expect(account.emailVerifiedAt).not.toBeNull();
      expect(await membership(account.id, s.id)).toMatchObject({ id, role: 'teacher', status: 'active', department: 'Sciences' });

      // The person chooses a password from the set-password email and acts as a teacher.
      const mail = await t.mail.waitFor({ to: email });
      const link = linkIn(mail, `${TEST_APP_URL}/reset-password`);
      await t
        .http()
        .post('/api/auth/password/reset')
        .send({ token: link.searchParams.get('token'), password: STRONG_PASSWORD })
        .expect(204);
      const teacher = await login(t, email, STRONG_PASSWORD);
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(teacher.accessToken)).expect(200);

      // Entra reads the user back by filter (case-insensitive userName) and by id.
      const found = await s.scim.get(byUserName(email.toUpperCase())).expect(200);
      expect(found.body.Resources.map((u: { id: string }) => u.id)).toEqual([id]);
      await s.scim.get(`/Users/${id}`).expect(200);

      // Attribute changes, as Entra sends them: capitalised ops, value paths, the enterprise URN path, attributes nobody stores.
      const patched = await s.scim
        .patch(
          `/Users/${id}`,
          { op: 'Replace', path: 'displayName', value: 'Ada King' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: email },
          { op: 'Replace', path: 'name.familyName', value: 'King' },
          { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+33 4 00 00 00 00' },
          { op: 'Replace', path: `${ENTERPRISE}:department`, value: 'Mathematics' },
          { op: 'Replace', path: 'externalId', value: 'entra-42' },
        )
        .expect(200);
      expect(patched.body).toMatchObject({
        name: { familyName: 'King', givenName: 'Ada' },
        externalId: 'entra-42',
        [ENTERPRISE]: { department: 'Mathematics' },
      });
      expect(patched.body.meta.version).not.toBe(created.body.meta.version);
      // Member search reads the folded names: the new name is found.
      const search = await t.http().get(`/api/institutes/${s.id}/members`).query({ search: 'king' }).set(as(s.manager.token)).expect(200);
      expect(search.body.items.map((m: { userId: string }) => m.userId)).toEqual([account.id]);

      // Disable in Entra: "active": "False" (a string). The membership is suspended, nothing else:
      // not the account, not the person's membership in another institute.
      const other = await school();
      await seedMembership(t, account.id, other.id, MembershipRole.Teacher);
      const suspended = await s.scim.patch(`/Users/${id}`, { op: 'Replace', path: 'active', value: 'False' }).expect(200);
      expect(suspended.body.active).toBe(false);
      expect(await membership(account.id, s.id)).toMatchObject({ status: 'suspended' });
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(teacher.accessToken)).expect(403);
      await t.http().get(`/api/institutes/${other.id}/members`).set(as(teacher.accessToken)).expect(200);
      await login(t, email, STRONG_PASSWORD);
      const me = await t.http().get('/api/me').set(as(teacher.accessToken)).expect(200);
      expect(me.body.memberships.map((m: { status: string }) => m.status).sort()).toEqual(['active', 'suspended']);
      const filtered = await s.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${email}" and active eq false`)}`).expect(200);
      expect(filtered.body.totalResults).toBe(1);

      // Enable again, as a path-less replace.
      await s.scim.patch(`/Users/${id}`, { op: 'replace', value: { active: true } }).expect(200);
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(teacher.accessToken)).expect(200);

      // Groups: Entra matches by displayName, creates it empty, then adds and removes members.
      const byName = await s.scim.get(`/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "3B"')}`).expect(200);
      expect(byName.body.totalResults).toBe(0);
      const group = await s.scim
        .post('/Groups', { schemas: [GROUP], externalId: 'g-3b', displayName: '3B', members: [], meta: { resourceType: 'Group' } })
        .expect(201);
      expect(group.body).toMatchObject({ schemas: [GROUP], displayName: '3B', externalId: 'g-3b', members: [] });
      await s.scim.get(`/Groups/${group.body.id}?excludedAttributes=members`).expect(200);
      await s.scim.patch(`/Groups/${group.body.id}`, { op: 'Add', path: 'members', value: [{ value: id }] }).expect(204);
      expect(await membership(account.id, s.id)).toMatchObject({ group: '3B' });
      const withMember = await s.scim.get(`/Groups/${group.body.id}`).expect(200);
      expect(withMember.body.members).toEqual([{ value: id, display: 'Ada King', type: 'User', $ref: `${PUBLIC_URL}/scim/v2/Users/${id}` }]);
      const inGroup = await s.scim.get(`/Users/${id}`).expect(200);
      expect(inGroup.body.groups).toEqual([expect.objectContaining({ value: group.body.id, display: '3B' })]);
      const member = await t.http().get(`/api/institutes/${s.id}/members/${account.id}`).set(as(s.manager.token)).expect(200);
      expect(member.body.group).toBe('3B');
      await s.scim.patch(`/Groups/${group.body.id}`, { op: 'Remove', path: 'members', value: [{ value: id }] }).expect(204);
      expect(await membership(account.id, s.id)).toMatchObject({ group: null });

      // Delete: the membership goes; the account and its other membership stay.
      await s.scim.delete(`/Users/${id}`).expect(204);
      await s.scim.get(`/Users/${id}`).expect(404);
      expect(await membership(account.id, s.id)).toBeNull();
      expect(await membership(account.id, other.id)).toMatchObject({ status: 'active' });
      await login(t, email, STRONG_PASSWORD);

      // Every change is in the institute's audit log with the token as actor.
      expect(await auditActions(s.id, s.tokenId)).toEqual([
        'scim.user.created',
        'scim.user.updated',
        'scim.user.suspended',
        'scim.user.reactivated',
        'scim.group.created',
        'scim.group.updated',
        'scim.group.updated',
        'scim.user.removed',
      ]);
      const log = await t.http().get(`/api/institutes/${s.id}/audit`).query({ action: 'scim.' }).set(as(s.manager.token)).expect(200);
      expect(log.body.items[0]).toMatchObject({ action: 'scim.user.removed', actorId: s.tokenId, targetId: account.id, details: { token: 'Entra ID' } });
    });
  });

  describe("Okta's provisioning sequence", () => {
    it('creates (ignoring the password Okta may push), replaces with PUT, deactivates and reactivates, pushes, renames and deletes a group', async () => {
      const s = await school();
      const email = uniqueEmail('okta');
      const pushed = 'a password pushed by the directory';
      await s.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`).expect(200);
      const created = await s.scim
        .post('/Users', {
          schemas: [USER],
          userName: email,
          name: { givenName: 'Grace', familyName: 'Hopper' },
          emails: [{ primary: true, value: email, type: 'work' }],
          displayName: 'Grace Hopper',
          locale: 'fr-FR',
          externalId: '00u1okta',
          groups: [],
          password: pushed,
          active: true,
        })
        .expect(201);
      const id: string = created.body.id;
      expect(created.body).toMatchObject({ userName: email, active: true, roles: [{ value: 'student', primary: true }], externalId: '00u1okta' });
      const account = await t.dataSource
        .getRepository(User)
        .createQueryBuilder('u')
        .addSelect('u.passwordHash')
        .where('u.email = :email', { email })
        .getOneOrFail();
      expect(account).toMatchObject({ passwordHash: null, locale: 'fr', createdById: null });
      expect(account.emailVerifiedAt).not.toBeNull();
      await t.mail.waitFor({ to: email });

      await s.scim.get(`/Users/${id}`).expect(200);
      const replaced = await s.scim
        .put(`/Users/${id}`, {
          schemas: [USER],
          id,
          userName: email,
          name: { givenName: 'Grace', familyName: 'Murray Hopper' },
          emails: [{ primary: true, value: email, type: 'work' }],
          externalId: '00u1okta',
          active: true,
          [ENTERPRISE]: { department: 'Navy' },
        })
        .expect(200);
      expect(replaced.body).toMatchObject({ name: { givenName: 'Grace', familyName: 'Murray Hopper' }, [ENTERPRISE]: { department: 'Navy' } });
      expect(await t.dataSource.getRepository(User).findOne({ select: { id: true, foldedLastName: true }, where: { id: account.id } })).toMatchObject({
        foldedLastName: 'murray hopper',
      });

      await s.scim.patch(`/Users/${id}`, { op: 'replace', value: { active: false } }).expect(200);
      expect(await membership(account.id, s.id)).toMatchObject({ status: 'suspended' });
      await s.scim.patch(`/Users/${id}`, { op: 'replace', value: { active: true } }).expect(200);
      expect(await membership(account.id, s.id)).toMatchObject({ status: 'active' });

      // Group push: created with its members, renamed with a path-less replace, a member removed by value filter.
      const group = await s.scim.post('/Groups', { schemas: [GROUP], displayName: 'Terminale 2', members: [{ value: id, display: email }] }).expect(201);
      expect(group.body.members).toEqual([expect.objectContaining({ value: id })]);
      expect(await membership(account.id, s.id)).toMatchObject({ group: 'Terminale 2' });
      await s.scim.patch(`/Groups/${group.body.id}`, { op: 'replace', value: { id: group.body.id, displayName: 'Terminale 3' } }).expect(204);
      expect(await membership(account.id, s.id)).toMatchObject({ group: 'Terminale 3' });
      await s.scim.patch(`/Groups/${group.body.id}`, { op: 'remove', path: `members[value eq "${id}"]` }).expect(204);
      expect(await membership(account.id, s.id)).toMatchObject({ group: null });
      await s.scim.put(`/Groups/${group.body.id}`, { schemas: [GROUP], displayName: 'Terminale 3', members: [{ value: id }] }).expect(200);
      await s.scim.delete(`/Groups/${group.body.id}`).expect(204);
      await s.scim.get(`/Groups/${group.body.id}`).expect(404);
      expect(await membership(account.id, s.id)).toMatchObject({ group: null, status: 'active' });

      // The pushed password is stored nowhere.
      for (const table of ['audit_entries', 'mail_log']) {
        const rows: unknown[] = await t.dataSource.query(`SELECT * FROM ${table}`);
        expect(JSON.stringify(rows)).not.toContain(pushed);
      }
    });
  });

  describe('accounts', () => {
    it('attaches a person who has an account elsewhere (never a second account), answers 409 uniqueness to a second create, and leaves their account alone', async () => {
      const s = await school();
      const elsewhere = await school();
      const person = await seedUser(t, { firstName: 'Marie', lastName: 'Curie' });
      await seedMembership(t, person.id, elsewhere.id, MembershipRole.Teacher);

      const attached = await s.scim.post('/Users', entraUser(person.email.toUpperCase(), { name: { givenName: 'M.', familyName: 'Sklodowska' } })).expect(201);
      expect(attached.body).toMatchObject({ userName: person.email, name: { givenName: 'Marie', familyName: 'Curie' } });
      expect(await t.dataSource.getRepository(User).countBy({ email: person.email })).toBe(1);
      expect(await membership(person.id, s.id)).toMatchObject({ id: attached.body.id, role: 'student', status: 'active' });
      expect(await membership(person.id, elsewhere.id)).toMatchObject({ role: 'teacher', status: 'active' });
      await t.mail.waitFor({ to: person.email, subject: /added you/ });
      await t.idle();
      t.mail.expectNone({ to: person.email, subject: /password/i });
      await login(t, person.email, person.password);

      const again = await s.scim.post('/Users', entraUser(person.email, { externalId: 'another' })).expect(409);
      expect(again.body).toEqual({ schemas: [ERROR], status: '409', scimType: 'uniqueness', detail: expect.any(String) });
      const sameExternalId = await s.scim.post('/Users', entraUser(uniqueEmail('dup'), { externalId: attached.body.externalId })).expect(409);
      expect(sameExternalId.body.scimType).toBe('uniqueness');

      // Their account is also used elsewhere: this directory renames it or changes its email not.
      const renamed = await s.scim.patch(`/Users/${attached.body.id}`, { op: 'replace', path: 'name.familyName', value: 'Sklodowska' }).expect(400);
      expect(renamed.body.scimType).toBe('mutability');
      await s.scim.patch(`/Users/${attached.body.id}`, { op: 'replace', path: 'userName', value: uniqueEmail('takeover') }).expect(400);
      expect(await t.dataSource.getRepository(User).findOneByOrFail({ id: person.id })).toMatchObject({ email: person.email, lastName: 'Curie' });
      // Membership attributes are the institute's own.
      await s.scim.patch(`/Users/${attached.body.id}`, { op: 'replace', path: `${ENTERPRISE}:department`, value: 'Physics' }).expect(200);
    });

    it('changes the userName of an account only this institute uses; 409 uniqueness when another account has it', async () => {
      const s = await school();
      const own = (await s.scim.post('/Users', entraUser(uniqueEmail('own'))).expect(201)).body;
      const taken = await seedUser(t);
      const clash = await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'userName', value: taken.email.toUpperCase() }).expect(409);
      expect(clash.body.scimType).toBe('uniqueness');
      const next = uniqueEmail('renamed');
      const changed = await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'userName', value: next }).expect(200);
      expect(changed.body).toMatchObject({ userName: next, emails: [{ value: next, type: 'work', primary: true }] });
      const bad = await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'userName', value: 'not an email' }).expect(400);
      expect(bad.body.scimType).toBe('invalidValue');

      // The address moved through emails (as Okta sends it): userName follows, the account is re-addressed.
      const moved = uniqueEmail('moved');
      const viaEmails = await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'emails[type eq "work"].value', value: moved }).expect(200);
      expect(viaEmails.body).toMatchObject({ userName: moved, emails: [{ value: moved, type: 'work', primary: true }] });
      expect(await t.dataSource.getRepository(User).findOneByOrFail({ email: moved })).toBeDefined();
      // A second address that is not the userName is refused, not silently dropped.
      const two = await s.scim
        .put(`/Users/${own.id}`, { ...entraUser(moved), emails: [{ value: uniqueEmail('other'), type: 'work', primary: true }] })
        .expect(400);
      expect(two.body.scimType).toBe('invalidValue');
    });

    it('the members search finds a provisioned person by the names and address the directory gave last, not earlier ones', async () => {
      const s = await school();
      const tag = `zq${randomBytes(3).toString('hex').replace(/\d/g, 'x')}`;
      const email = uniqueEmail(`${tag}first`);
      const own = (await s.scim.post('/Users', entraUser(email, { name: { familyName: `${tag}Curie`, givenName: 'Marie' } })).expect(201)).body;
      const search = async (q: string) =>
        (await t.http().get(`/api/institutes/${s.id}/members`).query({ search: q }).set(as(s.manager.token)).expect(200)).body.items.map(
          (m: { email: string }) => m.email,
        );
      expect(await search(`${tag}cur`)).toEqual([email]);
      expect(await search(email.slice(0, 12))).toEqual([email]);

      await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'name.familyName', value: `${tag}Skłodowska` }).expect(200);
      expect(await search(`${tag}cur`)).toEqual([]);
      expect(await search(`${tag}sklo`)).toEqual([email]);
      const moved = uniqueEmail(`${tag}moved`);
      await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'userName', value: moved }).expect(200);
      expect(await search(email.slice(0, 12))).toEqual([]);
      expect(await search(moved.slice(0, 12))).toEqual([moved]);
      await s.scim.patch(`/Users/${own.id}`, { op: 'replace', path: 'name.givenName', value: `${tag}Maria` }).expect(200);
      expect(await search(`${tag}mar`)).toEqual([moved]);
    });

    it('never grants the manager role, and never changes a manager’s', async () => {
      const s = await school();
      const refused = await s.scim.post('/Users', entraUser(uniqueEmail('boss'), { roles: [{ value: 'manager' }] })).expect(400);
      expect(refused.body).toMatchObject({ status: '400', scimType: 'invalidValue' });
      await s.scim.post('/Users', entraUser(uniqueEmail('x'), { roles: [{ value: 'principal' }] })).expect(400);
      const student = (await s.scim.post('/Users', entraUser(uniqueEmail('student'))).expect(201)).body;
      await s.scim.patch(`/Users/${student.id}`, { op: 'add', path: 'roles', value: [{ value: 'manager', primary: true }] }).expect(400);
      const teacher = await s.scim.patch(`/Users/${student.id}`, { op: 'Add', path: 'roles[primary eq "True"].value', value: 'teacher' }).expect(200);
      expect(teacher.body.roles).toEqual([{ value: 'teacher', primary: true }]);
      await s.scim.patch(`/Users/${student.id}`, { op: 'remove', path: 'roles' }).expect(200);
      // Adding a role to the list (no primary flag) is the new role, not ignored beside the current one.
      const added = await s.scim.patch(`/Users/${student.id}`, { op: 'add', path: 'roles', value: [{ value: 'teacher' }] }).expect(200);
      expect(added.body.roles).toEqual([{ value: 'teacher', primary: true }]);
      const back = await s.scim.patch(`/Users/${student.id}`, { op: 'remove', path: 'roles' }).expect(200);
      expect(back.body.roles).toEqual([{ value: 'student', primary: true }]);

      const manager = (await s.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${s.manager.email}"`)}`).expect(200)).body.Resources[0];
      expect(manager.roles).toEqual([{ value: 'manager', primary: true }]);
      const demoted = await s.scim.patch(`/Users/${manager.id}`, { op: 'replace', path: 'roles', value: [{ value: 'teacher' }] }).expect(400);
      expect(demoted.body.scimType).toBe('mutability');
      expect(await membership(s.manager.id, s.id)).toMatchObject({ role: 'manager', status: 'active' });
    });

    it('never re-addresses or renames a manager’s account, even one only this institute uses (no takeover through the password reset)', async () => {
      const s = await school();
      const manager = (await s.scim.get(`/Users?filter=${encodeURIComponent(`userName eq "${s.manager.email}"`)}`).expect(200)).body.Resources[0];
      const attacker = uniqueEmail('attacker');
      const moved = await s.scim.patch(`/Users/${manager.id}`, { op: 'replace', path: 'userName', value: attacker }).expect(400);
      expect(moved.body.scimType).toBe('mutability');
      await s.scim.patch(`/Users/${manager.id}`, { op: 'replace', path: 'name.familyName', value: 'Someone' }).expect(400);
      await s.scim.put(`/Users/${manager.id}`, entraUser(attacker)).expect(400);
      expect(await t.dataSource.getRepository(User).findOneByOrFail({ id: s.manager.id })).toMatchObject({ email: s.manager.email });
      await t.http().post('/api/auth/password/forgot').send({ email: attacker }).expect(202);
      await t.idle();
      t.mail.expectNone({ to: attacker });
      await login(t, s.manager.email, s.manager.password);
    });

    it('a new userName ends the account’s sessions and tells the old address', async () => {
      const s = await school();
      const oldEmail = uniqueEmail('moving');
      const created = (await s.scim.post('/Users', entraUser(oldEmail)).expect(201)).body;
      await t.idle();
      const account = await t.dataSource.getRepository(User).findOneByOrFail({ email: oldEmail });
      const before = account.tokenVersion;
      const next = uniqueEmail('moved');
      await s.scim.patch(`/Users/${created.id}`, { op: 'replace', path: 'userName', value: next }).expect(200);
      expect((await t.dataSource.getRepository(User).findOneByOrFail({ id: account.id })).tokenVersion).toBe(before + 1);
      const notice = await t.mail.waitFor({ to: oldEmail, subject: /address was changed/ });
      expect(notice.text).toContain(next);
    });
  });

  describe('suspended members', () => {
    it('cannot act in the institute and never count as its active manager (last-manager rule, notifications)', async () => {
      const s = await school();
      const second = await signedIn(t);
      await seedMembership(t, second.id, s.id, MembershipRole.Manager);
      const find = async (email: string) =>
        (await s.scim.get(`/Users?filter=${encodeURIComponent(`emails[type eq "work"].value eq "${email}"`)}`).expect(200)).body.Resources[0];
      const first = await find(s.manager.email);
      const other = await find(second.email);

      await t.http().get(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).expect(200);
      await s.scim.patch(`/Users/${first.id}`, { op: 'replace', path: 'active', value: false }).expect(200);
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).expect(403);
      await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(s.manager.token)).send({ name: 'x' }).expect(403);

      // The remaining manager is the last active one.
      const leave = await t.http().delete(`/api/institutes/${s.id}/members/${second.id}`).set(as(second.token)).expect(409);
      expect(leave.body.code).toBe('LAST_MANAGER');
      await t.http().patch(`/api/institutes/${s.id}/members/${second.id}`).set(as(second.token)).send({ role: 'teacher' }).expect(409);
      const lastOne = await s.scim.patch(`/Users/${other.id}`, { op: 'replace', path: 'active', value: false }).expect(409);
      expect(lastOne.body).toMatchObject({ schemas: [ERROR], status: '409' });
      await s.scim.delete(`/Users/${other.id}`).expect(409);
      expect(await membership(second.id, s.id)).toMatchObject({ status: 'active', role: 'manager' });

      // A teacher's request to join goes to the active manager only.
      const email = uniqueEmail('applicant');
      await t
        .http()
        .post('/api/auth/register/teacher')
        .send({ firstName: 'New', lastName: 'Teacher', email, password: STRONG_PASSWORD, instituteId: s.id })
        .expect(202);
      await t.mail.waitFor({ to: second.email, subject: /teacher/i });
      await t.idle();
      t.mail.expectNone({ to: s.manager.email, subject: /teacher/i });

      await s.scim.patch(`/Users/${first.id}`, { op: 'replace', path: 'active', value: 'True' }).expect(200);
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).expect(200);
    });
  });

  describe('what real clients send', () => {
    it('filters on userName, externalId, id and the work email, combined with and/or; pages with startIndex and count; picks attributes', async () => {
      const s = await school();
      const emails = [uniqueEmail('f1'), uniqueEmail('f2'), uniqueEmail('f3')];
      const users = [];
      for (const [i, email] of emails.entries()) users.push((await s.scim.post('/Users', entraUser(email, { externalId: `ext-${i}` })).expect(201)).body);
      const ids = (res: { body: { Resources: Array<{ id: string }> } }) => res.body.Resources.map((u) => u.id);
      const filter = (f: string, extra = '') => s.scim.get(`/Users?filter=${encodeURIComponent(f)}${extra}`);

      expect(ids(await filter(`externalId eq "ext-1"`).expect(200))).toEqual([users[1].id]);
      // externalId compares exactly (caseExact), userName ignoring case.
      expect(ids(await filter(`externalId eq "EXT-1"`).expect(200))).toEqual([]);
      expect(ids(await filter(`id eq "${users[2].id}"`).expect(200))).toEqual([users[2].id]);
      expect(ids(await filter(`emails[type eq "work"].value eq "${emails[0].toUpperCase()}"`).expect(200))).toEqual([users[0].id]);
      expect(ids(await filter(`emails[type eq "home"].value eq "${emails[0]}"`).expect(200))).toEqual([]);
      expect(ids(await filter(`userName eq "${emails[0]}" and externalId eq "ext-0"`).expect(200))).toEqual([users[0].id]);
      expect(ids(await filter(`userName eq "${emails[0]}" and externalId eq "ext-1"`).expect(200))).toEqual([]);
      expect(ids(await filter(`userName eq "${emails[0]}" or externalId eq "ext-2"`).expect(200))).toEqual([users[0].id, users[2].id]);
      expect(ids(await filter(`${USER}:userName eq "${emails[1]}"`).expect(200))).toEqual([users[1].id]);
      const unsupported = await filter('name.givenName co "A"').expect(400);
      expect(unsupported.body).toMatchObject({ schemas: [ERROR], status: '400', scimType: 'invalidFilter' });
      expect((await filter('userName eq').expect(400)).body.scimType).toBe('invalidFilter');
      expect((await filter('userName zz "x"').expect(400)).body.scimType).toBe('invalidFilter');

      // The manager was a member first: four users, oldest first.
      const page = await s.scim.get('/Users?startIndex=2&count=2').expect(200);
      expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
      expect(ids(page)).toEqual([users[0].id, users[1].id]);
      expect(ids(await s.scim.get('/Users?startIndex=4&count=2').expect(200))).toEqual([users[2].id]);
      expect((await s.scim.get('/Users?count=0').expect(200)).body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
      expect((await s.scim.get('/Users?count=many').expect(400)).body.scimType).toBe('invalidValue');

      const only = await s.scim.get(`/Users/${users[0].id}?attributes=userName,name.givenName,${ENTERPRISE}:department`).expect(200);
      expect(only.body).toEqual({
        schemas: [USER, ENTERPRISE],
        id: users[0].id,
        userName: emails[0],
        name: { givenName: 'Ada' },
        [ENTERPRISE]: { department: 'Sciences' },
      });
      const listed = await filter(`userName eq "${emails[0]}"`, '&attributes=userName').expect(200);
      expect(listed.body.Resources).toEqual([{ schemas: [USER, ENTERPRISE], id: users[0].id, userName: emails[0] }]);
      const without = await s.scim.get(`/Users/${users[0].id}?excludedAttributes=emails,meta,name.formatted,${ENTERPRISE}`).expect(200);
      expect(without.body).not.toHaveProperty('emails');
      expect(without.body).not.toHaveProperty('meta');
      expect(without.body).not.toHaveProperty(ENTERPRISE);
      expect(without.body.name).toEqual({ givenName: 'Ada', familyName: 'Lovelace' });
    });

    it('PATCH: operations without path, case-insensitive op, value filters, remove; unknown paths and bad bodies are SCIM errors', async () => {
      const s = await school();
      const user = (await s.scim.post('/Users', entraUser(uniqueEmail('p'))).expect(201)).body;
      const res = await s.scim
        .patch(
          `/Users/${user.id}`,
          { op: 'rEpLaCe', value: { 'name.givenName': 'Augusta', [`${ENTERPRISE}:department`]: 'Arts', nickName: 'Ada', active: 'True' } },
          { op: 'remove', path: 'externalId' },
        )
        .expect(200);
      expect(res.body).toMatchObject({ name: { givenName: 'Augusta' }, [ENTERPRISE]: { department: 'Arts' }, active: true });
      expect(res.body).not.toHaveProperty('externalId');
      const ext = await s.scim.patch(`/Users/${user.id}`, { op: 'add', value: { [ENTERPRISE]: { department: 'Music', employeeNumber: '7' } } }).expect(200);
      expect(ext.body[ENTERPRISE]).toEqual({ department: 'Music' });
      const removed = await s.scim.patch(`/Users/${user.id}`, { op: 'remove', path: `${ENTERPRISE}:department` }).expect(200);
      expect(removed.body).not.toHaveProperty(ENTERPRISE);

      expect((await s.scim.patch(`/Users/${user.id}`, { op: 'replace', path: 'shoeSize', value: 42 }).expect(400)).body.scimType).toBe('invalidPath');
      expect((await s.scim.patch(`/Users/${user.id}`, { op: 'merge', path: 'active', value: true }).expect(400)).body.scimType).toBe('invalidSyntax');
      expect((await s.scim.patch(`/Users/${user.id}`, { op: 'replace', path: 'active', value: 'maybe' }).expect(400)).body.scimType).toBe('invalidValue');
      const wrongSchema = await t
        .http()
        .patch(`/scim/v2/Users/${user.id}`)
        .set(as(s.token))
        .send({ schemas: ['urn:nope'], Operations: [{ op: 'replace', path: 'active', value: false }] })
        .expect(400);
      expect(wrongSchema.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
      await s.scim.patch(`/Users/00000000-0000-4000-8000-000000000000`, { op: 'replace', path: 'active', value: false }).expect(404);
      expect((await s.scim.post('/Users', { schemas: [USER], name: { givenName: 'No', familyName: 'Login' } }).expect(400)).body.status).toBe('400');
      expect((await s.scim.post('/Users', entraUser('not-an-email')).expect(400)).body.scimType).toBe('invalidValue');
      expect((await s.scim.post('/Users', entraUser(uniqueEmail('n'), { name: { givenName: 'Only' } })).expect(400)).body.scimType).toBe('invalidValue');
    });

    it('versions resources with ETags: If-None-Match answers 304, a stale If-Match 412', async () => {
      const s = await school();
      const user = (await s.scim.post('/Users', entraUser(uniqueEmail('etag'))).expect(201)).body;
      const read = await s.scim.get(`/Users/${user.id}`).expect(200);
      expect(read.headers.etag).toBe(user.meta.version);
      await s.scim.get(`/Users/${user.id}`).set('If-None-Match', user.meta.version).expect(304);
      const changed = await s.scim
        .patch(`/Users/${user.id}`, { op: 'replace', path: 'name.givenName', value: 'Augusta' })
        .set('If-Match', user.meta.version)
        .expect(200);
      expect(changed.body.meta.version).not.toBe(user.meta.version);
      expect(new Date(changed.body.meta.lastModified).getTime()).toBeGreaterThanOrEqual(new Date(user.meta.lastModified).getTime());
      const stale = await s.scim
        .patch(`/Users/${user.id}`, { op: 'replace', path: 'name.givenName', value: 'Ada' })
        .set('If-Match', user.meta.version)
        .expect(412);
      expect(stale.body).toMatchObject({ schemas: [ERROR], status: '412' });
      await s.scim.delete(`/Users/${user.id}`).set('If-Match', user.meta.version).expect(412);
      await s.scim.delete(`/Users/${user.id}`).set('If-Match', changed.body.meta.version).expect(204);
    });

    it('groups: a member is in one class at most; names are unique; unknown members are refused', async () => {
      const s = await school();
      const user = (await s.scim.post('/Users', entraUser(uniqueEmail('g'))).expect(201)).body;
      const a = (await s.scim.post('/Groups', { schemas: [GROUP], displayName: '5A', members: [{ value: user.id }] }).expect(201)).body;
      const b = (await s.scim.post('/Groups', { schemas: [GROUP], displayName: '5B' }).expect(201)).body;
      await s.scim.patch(`/Groups/${b.id}`, { op: 'add', path: 'members', value: [{ value: user.id }] }).expect(204);
      expect((await s.scim.get(`/Groups/${a.id}`).expect(200)).body.members).toEqual([]);
      expect((await s.scim.get(`/Groups/${b.id}`).expect(200)).body.members.map((m: { value: string }) => m.value)).toEqual([user.id]);
      const byMember = await s.scim.get(`/Groups?filter=${encodeURIComponent(`members[value eq "${user.id}"]`)}`).expect(200);
      expect(byMember.body.Resources.map((g: { id: string }) => g.id)).toEqual([b.id]);

      const duplicate = await s.scim.post('/Groups', { schemas: [GROUP], displayName: '5A' }).expect(409);
      expect(duplicate.body.scimType).toBe('uniqueness');
      expect((await s.scim.patch(`/Groups/${b.id}`, { op: 'replace', path: 'displayName', value: '5A' }).expect(409)).body.scimType).toBe('uniqueness');
      const unknown = await s.scim
        .patch(`/Groups/${b.id}`, { op: 'add', path: 'members', value: [{ value: '00000000-0000-4000-8000-000000000000' }] })
        .expect(400);
      expect(unknown.body.scimType).toBe('invalidValue');
      expect((await s.scim.post('/Groups', { schemas: [GROUP], displayName: '' }).expect(400)).body.scimType).toBe('invalidValue');

      await s.scim.delete(`/Groups/${b.id}`).expect(204);
      expect((await s.scim.get(`/Users/${user.id}`).expect(200)).body).not.toHaveProperty('groups');
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ instituteId: s.id, actorId: s.tokenId, action: 'scim.group.removed' })).toBe(1);
    });

    it('limits each token: 429 with Retry-After past the limit, counted in Redis; other tokens go on', async () => {
      const s = await school();
      const second = await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(s.manager.token)).send({ name: 'Okta' }).expect(201);
      for (let i = 0; i < RATE_LIMIT; i++) await s.scim.get('/ServiceProviderConfig').expect(200);
      const limited = await s.scim.get('/Users').expect(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ schemas: [ERROR], status: '429' });
      await client(second.body.token).get('/Users').expect(200);
      // The counter is shared by every replica: it lives in Redis under the queue prefix.
      const redis = new Redis(TEST_REDIS_URL);
      try {
        expect(Number(await redis.get(`${t.env.QUEUE_PREFIX}:throttle:{scim:${s.tokenId}:scim}:hits`))).toBeGreaterThan(RATE_LIMIT);
      } finally {
        redis.disconnect();
      }
    });

    it('sends no set-password email when the institute signs in through its identity provider (an enabled one)', async () => {
      const s = await school();
      const provider = await t
        .http()
        .post(`/api/institutes/${s.id}/identity-providers`)
        .set(as(staff.token))
        .send({
          protocol: 'oidc',
          name: 'School IdP',
          domains: ['example.org'],
          allowedRedirectUris: ['https://sso.example.org/callback'],
          oidc: { issuer: 'https://idp.example.org', clientId: 'oktonine' },
        })
        .expect(201);
      const signsInWithIdp = uniqueEmail('sso');
      await s.scim.post('/Users', entraUser(signsInWithIdp)).expect(201);
      await t.idle();
      t.mail.expectNone({ to: signsInWithIdp });

      // With the provider disabled, people need a password again.
      await t.http().patch(`/api/institutes/${s.id}/identity-providers/${provider.body.id}`).set(as(staff.token)).send({ enabled: false }).expect(200);
      const needsPassword = uniqueEmail('pw');
      await s.scim.post('/Users', entraUser(needsPassword)).expect(201);
      expect(linkIn(await t.mail.waitFor({ to: needsPassword }), `${TEST_APP_URL}/reset-password`)).toBeTruthy();
    });

    it('never logs a SCIM token, nor stores one outside its hash', async () => {
      const s = await school();
      await s.scim.get('/Users').expect(200);
      await s.scim.post('/Users', entraUser(uniqueEmail('log'))).expect(201);
      await t
        .http()
        .get('/scim/v2/Users')
        .set(as(`${s.token}x`))
        .expect(401);
      await t.idle();
      const marker = `end-of-scim-run-${Date.now()}`;
      t.app.get(Logger).log(marker);
      for (const deadline = Date.now() + 10000; !logs.includes(marker);) {
        if (Date.now() > deadline) throw new Error('the marker never reached the log');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(logs).toContain('"url":"/scim/v2/Users"');
      expect(logs).not.toContain(s.token.slice('oktscim_'.length, 30));
      for (const table of ['audit_entries', 'mail_log', 'scim_tokens']) {
        const rows: unknown[] = await t.dataSource.query(`SELECT * FROM ${table}`);
        expect(JSON.stringify(rows)).not.toContain(s.token);
      }
    });
  });
});
