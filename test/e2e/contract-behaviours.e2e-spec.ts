import { randomUUID } from 'node:crypto';
import { MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { xlsx } from '../support/xlsx';

type Signed = Awaited<ReturnType<typeof signedIn>>;

/** Behaviours the OpenAPI document promises, found while writing it down (issue 13). */
describe('What the contract promises', () => {
  let t: TestApp;
  let staff: Signed;
  let manager: Signed;
  let instituteId: string;

  beforeAll(async () => {
    t = await createTestApp();
    staff = await signedIn(t, { isStaff: true });
    manager = await signedIn(t);
    instituteId = (await seedInstitute(t)).id;
    await seedMembership(t, manager.id, instituteId, MembershipRole.Manager);
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** Every kind of institute-scoped route: members, imports (list, template, upload), the institute, its audit, mail and SCIM tokens. */
  const routes = (id: string): Array<[string, (token: string) => PromiseLike<{ status: number; body: { code?: string; details?: unknown } }>]> => [
    ['members', (token) => t.http().get(`/api/institutes/${id}/members`).set(as(token))],
    ['imports', (token) => t.http().get(`/api/institutes/${id}/imports`).set(as(token))],
    ['template', (token) => t.http().get(`/api/institutes/${id}/imports/template`).set(as(token))],
    [
      'upload',
      async (token) =>
        t
          .http()
          .post(`/api/institutes/${id}/imports`)
          .set(as(token))
          .attach('file', await xlsx([['Ada', 'Lovelace', 'ada@example.org', null, null, null]]), 'students.xlsx'),
    ],
    ['institute', (token) => t.http().get(`/api/institutes/${id}`).set(as(token))],
    ['PATCH institute', (token) => t.http().patch(`/api/institutes/${id}`).set(as(token)).send({ city: 'Lyon' })],
    ['audit', (token) => t.http().get(`/api/institutes/${id}/audit`).set(as(token))],
    ['scim tokens', (token) => t.http().get(`/api/institutes/${id}/scim-tokens`).set(as(token))],
  ];

  it('an unknown institute is 404 INSTITUTE_NOT_FOUND for staff and managers alike, on every institute-scoped route', async () => {
    const unknown = randomUUID();
    for (const [name, route] of routes(unknown)) {
      const byStaff = await route(staff.token);
      expect([name, byStaff.status, byStaff.body.code]).toEqual([name, 404, 'INSTITUTE_NOT_FOUND']);
      const byManager = await route(manager.token);
      // A staff-only route stays 403 for a manager; the others reveal nothing either.
      expect([name, byManager.status]).toEqual([name, name === 'PATCH institute' ? 403 : 404]);
    }
  });

  it('a malformed institute id is 400 VALIDATION_FAILED naming instituteId, whoever asks', async () => {
    for (const [name, route] of routes('not-a-uuid')) {
      for (const who of [staff, manager]) {
        const res = await route(who.token);
        expect([name, res.status, res.body.code, res.body.details]).toEqual([
          name,
          400,
          'VALIDATION_FAILED',
          [{ field: 'instituteId', message: 'instituteId must be a UUID' }],
        ]);
      }
    }
  });

  it('the known institute still answers staff (the check is not a blanket refusal)', async () => {
    await t.http().get(`/api/institutes/${instituteId}/members`).set(as(staff.token)).expect(200);
    await t.http().get(`/api/institutes/${instituteId}/imports/template`).set(as(staff.token)).expect(200);
  });

  it('a teacher whose membership is pending is told so (403 MEMBERSHIP_PENDING)', async () => {
    const pending = await signedIn(t);
    await seedMembership(t, pending.id, instituteId, MembershipRole.Teacher, MembershipStatus.Pending);
    const res = await t.http().get(`/api/institutes/${instituteId}/members`).set(as(pending.token)).expect(403);
    expect(res.body.code).toBe('MEMBERSHIP_PENDING');
  });

  it('PATCH /api/me with an empty body changes nothing and answers the profile', async () => {
    const res = await t.http().patch('/api/me').set(as(manager.token)).send({}).expect(200);
    expect(res.body).toMatchObject({ id: manager.id, locale: 'en' });
    await t.http().patch('/api/me').set(as(manager.token)).send({ locale: 'fr' }).expect(200);
    expect((await t.http().patch('/api/me').set(as(manager.token)).send({}).expect(200)).body.locale).toBe('fr');
  });

  it('a file under another multipart field is 400 MALFORMED_MULTIPART in the contract’s error shape', async () => {
    const file = await xlsx([['Ada', 'Lovelace', 'ada@example.org', null, null, null]]);
    const res = await t.http().post(`/api/institutes/${instituteId}/imports`).set(as(manager.token)).attach('upload', file, 'students.xlsx').expect(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_MULTIPART', message: expect.stringContaining('"file"') });
  });
});
