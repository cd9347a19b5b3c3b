import Redis from 'ioredis';
import { PassThrough } from 'node:stream';
import { Logger } from 'nestjs-pino';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { sha256 } from '../../src/auth/token-hash';
import { LOG_DESTINATION } from '../../src/common/log-destination';
import { Membership, MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { InstituteSignIn } from '../../src/scim/institute-sign-in';
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
  type Client = ReturnType<typeof client>;

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
});
