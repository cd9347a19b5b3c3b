import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn, uniqueEmail } from '../support/factories';
import { xlsx } from '../support/xlsx';
import { createTestApp, TestApp } from '../support/test-app';

type Signed = Awaited<ReturnType<typeof signedIn>>;
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('People directory (GET /api/users)', () => {
  let t: TestApp;
  let staff: Signed;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const emails = (res: { body: { items: Array<{ email: string }> } }) => res.body.items.map((u) => u.email).sort();

  beforeAll(async () => {
    t = await createTestApp();
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** An institute with an active manager, teacher and student (signed in). */
  async function school() {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    const teacher = await signedIn(t);
    const student = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
    await seedMembership(t, student.id, institute.id, MembershipRole.Student);
    return { id: institute.id, manager, teacher, student };
  }

  it('finds people created over the API by folded name words (any order, prefixes) or email prefix; staff see everyone', async () => {
    const tag = `Kx${Date.now().toString(36)}`;
    const email = uniqueEmail('zoe.search');
    const created = await t
      .http()
      .post('/api/users')
      .set(as(staff.token))
      .send({ firstName: 'Zoé', lastName: `Dûpont-Lefèvre ${tag}`, email })
      .expect(201);
    await t
      .http()
      .post('/api/users')
      .set(as(staff.token))
      .send({ firstName: 'Marc', lastName: `Dupont ${tag}`, email: uniqueEmail('marc') })
      .expect(201);

    const byWords = await t
      .http()
      .get('/api/users')
      .query({ search: `lefevre ZO ${tag}` })
      .set(as(staff.token))
      .expect(200);
    expect(byWords.body.items).toEqual([{ id: created.body.id, firstName: 'Zoé', lastName: `Dûpont-Lefèvre ${tag}`, email }]);
    expect(byWords.body.nextCursor).toBeNull();
    const both = await t
      .http()
      .get('/api/users')
      .query({ search: `dupont ${tag}` })
      .set(as(staff.token))
      .expect(200);
    expect(both.body.items).toHaveLength(2);
    const byEmail = await t
      .http()
      .get('/api/users')
      .query({ search: email.slice(0, 14).toUpperCase() })
      .set(as(staff.token))
      .expect(200);
    expect(emails(byEmail)).toContain(email);
    const none = await t
      .http()
      .get('/api/users')
      .query({ search: `upont ${tag}` })
      .set(as(staff.token))
      .expect(200);
    expect(none.body.items).toEqual([]);
    // LIKE wildcards are text, not patterns.
    const wildcard = await t.http().get('/api/users').query({ search: '%' }).set(as(staff.token)).expect(200);
    expect(wildcard.body.items).toEqual([]);
    await t.http().get('/api/users').set(as(staff.token)).expect(400);
  });

  it('pages with a keyset cursor', async () => {
    const tag = `Pg${Date.now().toString(36)}`;
    for (let i = 0; i < 3; i++) {
      await t
        .http()
        .post('/api/users')
        .set(as(staff.token))
        .send({ firstName: `P${i}`, lastName: tag, email: uniqueEmail('page') })
        .expect(201);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await t
        .http()
        .get('/api/users')
        .query({ search: tag, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as(staff.token))
        .expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((u: { firstName: string }) => u.firstName));
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.sort()).toEqual(['P0', 'P1', 'P2']);
    // A cursor that is not one is refused, whether or not the search finds anyone.
    for (const search of [tag, `${tag}nobody`]) {
      const bad = await t.http().get('/api/users').query({ search, cursor: 'not-a-cursor' }).set(as(staff.token)).expect(400);
      expect(bad.body.details).toEqual([{ field: 'cursor', message: expect.any(String) }]);
    }
  });

  it('managers and teachers search the members of their own institute only; instituteId is required for them', async () => {
    const a = await school();
    const b = await school();
    const tag = `Sc${Date.now().toString(36)}`;
    const inA = await t
      .http()
      .post(`/api/institutes/${a.id}/members`)
      .set(as(a.manager.token))
      .send({ role: 'student', user: { firstName: 'Alice', lastName: tag, email: uniqueEmail('alice') } })
      .expect(201);
    await t
      .http()
      .post(`/api/institutes/${b.id}/members`)
      .set(as(b.manager.token))
      .send({ role: 'student', user: { firstName: 'Bob', lastName: tag, email: uniqueEmail('bob') } })
      .expect(201);

    for (const caller of [a.manager, a.teacher]) {
      const res = await t.http().get('/api/users').query({ search: tag, instituteId: a.id }).set(as(caller.token)).expect(200);
      expect(res.body.items.map((u: { id: string }) => u.id)).toEqual([inA.body.userId]);
    }
    const missing = await t.http().get('/api/users').query({ search: tag }).set(as(a.manager.token)).expect(400);
    expect(missing.body.details).toEqual([{ field: 'instituteId', message: expect.any(String) }]);
    // Another institute's members: as if it did not exist.
    const other = await t.http().get('/api/users').query({ search: tag, instituteId: b.id }).set(as(a.manager.token)).expect(404);
    expect(other.body.code).toBe('INSTITUTE_NOT_FOUND');
    await t.http().get('/api/users').query({ search: tag, instituteId: a.id }).set(as(a.student.token)).expect(403);
    // Staff may narrow to an institute too.
    const narrowed = await t.http().get('/api/users').query({ search: tag, instituteId: b.id }).set(as(staff.token)).expect(200);
    expect(narrowed.body.items.map((u: { firstName: string }) => u.firstName)).toEqual(['Bob']);
    await t.http().get('/api/users').query({ search: tag }).expect(401);
  });

  it('follows names written by imports and by SCIM, old names forgotten', async () => {
    const s = await school();
    const tag = `Im${Date.now().toString(36)}`;
    const file = await xlsx([['Élodie', `Çaron ${tag}`, uniqueEmail('import'), '', '', '']]);
    const batch = await t.http().post(`/api/institutes/${s.id}/imports`).set(as(s.manager.token)).attach('file', file, 'students.xlsx').expect(202);
    await t.idle();
    const done = await t.http().get(`/api/institutes/${s.id}/imports/${batch.body.id}`).set(as(s.manager.token)).expect(200);
    expect(done.body.created).toBe(1);
    const imported = await t
      .http()
      .get('/api/users')
      .query({ search: `caron elo ${tag}`, instituteId: s.id })
      .set(as(s.manager.token))
      .expect(200);
    expect(imported.body.items.map((u: { firstName: string }) => u.firstName)).toEqual(['Élodie']);

    const token = await t.http().post(`/api/institutes/${s.id}/scim-tokens`).set(as(s.manager.token)).send({ name: 'Entra ID' }).expect(201);
    const headers = { Authorization: `Bearer ${token.body.token}`, 'Content-Type': 'application/scim+json' };
    const email = uniqueEmail('scim');
    const scimUser = await t
      .http()
      .post('/scim/v2/Users')
      .set(headers)
      .send(
        JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: email,
          name: { givenName: 'Grace', familyName: `Hopper ${tag}` },
          emails: [{ primary: true, value: email }],
          active: true,
        }),
      )
      .expect(201);
    const found = await t
      .http()
      .get('/api/users')
      .query({ search: `hopper ${tag}` })
      .set(as(staff.token))
      .expect(200);
    expect(emails(found)).toEqual([email]);
    await t
      .http()
      .patch(`/scim/v2/Users/${scimUser.body.id}`)
      .set(headers)
      .send(JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'name.familyName', value: `Murray ${tag}` }] }))
      .expect(200);
    expect(
      (
        await t
          .http()
          .get('/api/users')
          .query({ search: `hopper ${tag}` })
          .set(as(staff.token))
          .expect(200)
      ).body.items,
    ).toEqual([]);
    expect(
      emails(
        await t
          .http()
          .get('/api/users')
          .query({ search: `grace murray ${tag}` })
          .set(as(staff.token))
          .expect(200),
      ),
    ).toEqual([email]);
  });
});
