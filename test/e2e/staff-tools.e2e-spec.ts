import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { FakeClock } from '../../src/common/clock';
import { InstituteStatus } from '../../src/institutes/entities/institute.entity';
import { MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { login, seedInstitute, seedMembership, seedUser, signedIn, STRONG_PASSWORD } from '../support/factories';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

type Signed = Awaited<ReturnType<typeof signedIn>>;

describe('Staff tools', () => {
  let t: TestApp;
  let staff: Signed;
  const clock = new FakeClock();
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ clock });
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('GET /api/admin/institutes', () => {
    it('lists every institute, inactive ones too, with search, status filter and keyset paging; staff only', async () => {
      const tag = `Qv${Date.now().toString(36)}`;
      const created: string[] = [];
      for (const [name, status] of [
        [`Lycée Ampère ${tag}`, InstituteStatus.Active],
        [`Collège Fermé ${tag}`, InstituteStatus.Inactive],
        [`École Pasteur ${tag}`, InstituteStatus.Inactive],
      ] as const) {
        const res = await t.http().post('/api/institutes').set(as(staff.token)).send({ name, city: 'Lyon', status }).expect(201);
        created.push(res.body.id);
      }
      // The public search shows active ones only; the staff list shows all.
      const publicSearch = await t.http().get('/api/institutes').query({ search: tag }).expect(200);
      expect(publicSearch.body).toHaveLength(1);

      const all = await t.http().get('/api/admin/institutes').query({ search: tag }).set(as(staff.token)).expect(200);
      expect(all.body.items.map((i: { id: string }) => i.id).sort()).toEqual([...created].sort());
      expect(all.body.items.find((i: { name: string }) => i.name.startsWith('Collège'))).toMatchObject({ status: 'inactive', city: 'Lyon' });

      const inactive = await t.http().get('/api/admin/institutes').query({ search: tag, status: 'inactive' }).set(as(staff.token)).expect(200);
      expect(inactive.body.items).toHaveLength(2);
      const folded = await t
        .http()
        .get('/api/admin/institutes')
        .query({ search: `college ferme ${tag}` })
        .set(as(staff.token))
        .expect(200);
      expect(folded.body.items.map((i: { id: string }) => i.id)).toEqual([created[1]]);

      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await t
          .http()
          .get('/api/admin/institutes')
          .query({ search: tag, limit: 1, ...(cursor ? { cursor } : {}) })
          .set(as(staff.token))
          .expect(200);
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen.sort()).toEqual([...created].sort());

      const user = await signedIn(t);
      await t.http().get('/api/admin/institutes').set(as(user.token)).expect(403);
    });
  });

  describe('duplicate institutes', () => {
    it('a second institute of the same folded name and city is 409 INSTITUTE_EXISTS with the existing id, unless allowDuplicate', async () => {
      const tag = `Dup${Date.now().toString(36)}`;
      const first = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Saint-Exupéry ${tag}`, city: 'Lyon' })
        .expect(201);
      const again = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `ecole saint exupery ${tag.toUpperCase()}`, city: ' LYON ' })
        .expect(409);
      expect(again.body).toMatchObject({ statusCode: 409, code: 'INSTITUTE_EXISTS', details: { existingId: first.body.id } });
      // Another city is another institute.
      await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Saint-Exupéry ${tag}`, city: 'Paris' })
        .expect(201);
      // An inactive one counts too.
      await t.http().patch(`/api/institutes/${first.body.id}`).set(as(staff.token)).send({ status: 'inactive' }).expect(200);
      await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Saint-Exupéry ${tag}`, city: 'Lyon' })
        .expect(409);
      const forced = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Saint-Exupéry ${tag}`, city: 'Lyon', allowDuplicate: true })
        .expect(201);
      expect(forced.body.id).not.toBe(first.body.id);
      await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `Other ${tag}`, allowDuplicate: 'yes' })
        .expect(400);
    });
  });

  it('two simultaneous creations of one institute: one is created, the other is told it exists', async () => {
    const name = `Lycée Simultané ${Date.now().toString(36)}`;
    const results = await Promise.all(Array.from({ length: 4 }, () => t.http().post('/api/institutes').set(as(staff.token)).send({ name, city: 'Nantes' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    const created = results.find((r) => r.status === 201)!;
    for (const r of results.filter((x) => x.status === 409)) expect(r.body.details).toEqual({ existingId: created.body.id });
  });

  describe('staff accounts', () => {
    it('staff promote and demote staff over the API, audited; the demoted account’s tokens end; never the last one', async () => {
      const other = await signedIn(t);
      await t.http().get('/api/admin/staff').set(as(other.token)).expect(403);
      await t.http().post('/api/admin/staff').set(as(other.token)).send({ userId: other.id }).expect(403);

      const promoted = await t.http().post('/api/admin/staff').set(as(staff.token)).send({ userId: other.id }).expect(201);
      expect(promoted.body).toMatchObject({ id: other.id, email: other.email });
      const list = await t.http().get('/api/admin/staff').set(as(other.token)).expect(200);
      expect(list.body.map((s: { id: string }) => s.id)).toEqual(expect.arrayContaining([staff.id, other.id]));
      const audit = await t.dataSource.getRepository(AuditEntry).findOneByOrFail({ action: 'staff.promoted', targetId: other.id });
      expect(audit.actorId).toBe(staff.id);

      await t.http().delete(`/api/admin/staff/${other.id}`).set(as(staff.token)).expect(204);
      await t.http().get('/api/admin/staff').set(as(other.token)).expect(401);
      const relogged = await login(t, other.email, other.password);
      await t.http().get('/api/admin/staff').set(as(relogged.accessToken)).expect(403);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'staff.demoted', targetId: other.id, actorId: staff.id })).toBe(1);

      const res = await t.http().delete(`/api/admin/staff/${staff.id}`).set(as(staff.token)).expect(409);
      expect(res.body.code).toBe('LAST_STAFF');
      const notStaff = await t.http().delete(`/api/admin/staff/${other.id}`).set(as(staff.token)).expect(404);
      expect(notStaff.body.code).toBe('STAFF_NOT_FOUND');
      const unknown = await t.http().post('/api/admin/staff').set(as(staff.token)).send({ userId: '00000000-0000-4000-8000-000000000000' }).expect(404);
      expect(unknown.body.code).toBe('USER_NOT_FOUND');
    });
  });

  describe('disabling accounts', () => {
    it('a disabled account cannot sign in (ACCOUNT_DISABLED), its tokens are refused at once; enabling restores it', async () => {
      const user = await signedIn(t);
      const session = await login(t, user.email, user.password);
      await t.http().get('/api/me').set(as(user.token)).expect(200);
      await t.http().post(`/api/admin/users/${user.id}/disable`).set(as(user.token)).expect(403);

      await t.http().post(`/api/admin/users/${user.id}/disable`).set(as(staff.token)).expect(204);
      await t.http().get('/api/me').set(as(user.token)).expect(401);
      await t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
      const refused = await t.http().post('/api/auth/login').send({ email: user.email, password: user.password }).expect(403);
      expect(refused.body.code).toBe('ACCOUNT_DISABLED');
      // A wrong password learns nothing about the account's state.
      const wrong = await t.http().post('/api/auth/login').send({ email: user.email, password: 'not the password at all' }).expect(401);
      expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'user.disabled', targetId: user.id, actorId: staff.id })).toBe(1);

      await t.http().post(`/api/admin/users/${user.id}/enable`).set(as(staff.token)).expect(204);
      const back = await login(t, user.email, user.password);
      await t.http().get('/api/me').set(as(back.accessToken)).expect(200);
    });

    it('the last staff account cannot be disabled; an unknown account is 404', async () => {
      const res = await t.http().post(`/api/admin/users/${staff.id}/disable`).set(as(staff.token)).expect(409);
      expect(res.body.code).toBe('LAST_STAFF');
      const unknown = await t.http().post('/api/admin/users/00000000-0000-4000-8000-000000000000/disable').set(as(staff.token)).expect(404);
      expect(unknown.body.code).toBe('USER_NOT_FOUND');
    });

    it('a disabled staff account does not count: the only enabled one cannot be demoted, disabled or erased', async () => {
      const other = await signedIn(t, { isStaff: true });
      await t.http().post(`/api/admin/users/${other.id}/disable`).set(as(staff.token)).expect(204);
      const demote = await t.http().delete(`/api/admin/staff/${staff.id}`).set(as(staff.token)).expect(409);
      expect(demote.body.code).toBe('LAST_STAFF');
      const erase = await t.http().delete(`/api/admin/users/${staff.id}`).set(as(staff.token)).expect(409);
      expect(erase.body.code).toBe('LAST_STAFF');
      const disable = await t.http().post(`/api/admin/users/${staff.id}/disable`).set(as(staff.token)).expect(409);
      expect(disable.body.code).toBe('LAST_STAFF');
      await t.http().get('/api/admin/staff').set(as(staff.token)).expect(200);

      // Enabled again, it counts: it may be demoted (the caller stays staff).
      await t.http().post(`/api/admin/users/${other.id}/enable`).set(as(staff.token)).expect(204);
      await t.http().delete(`/api/admin/staff/${other.id}`).set(as(staff.token)).expect(204);
    });
  });

  describe('resending invitations', () => {
    it('a manager resends the set-password email of a member without a password, at most once a minute', async () => {
      const institute = await seedInstitute(t);
      const manager = await signedIn(t);
      await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
      const student = await seedUser(t, { password: null, firstName: 'Lost' });
      await seedMembership(t, student.id, institute.id, MembershipRole.Student);

      const url = `/api/institutes/${institute.id}/members/${student.id}/resend-invitation`;
      await t.http().post(url).set(as(manager.token)).expect(202);
      const mail = await t.mail.waitFor({ to: student.email });
      const link = linkIn(mail, `${TEST_APP_URL}/reset-password`);
      await t
        .http()
        .post('/api/auth/password/reset')
        .send({ token: link.searchParams.get('token'), password: STRONG_PASSWORD })
        .expect(204);

      const again = await t.http().post(url).set(as(manager.token)).expect(429);
      expect(again.body.code).toBe('INVITATION_RECENTLY_SENT');
      clock.advance(61_000);
      // Now with a password: the welcome email instead.
      await t.http().post(url).set(as(staff.token)).expect(202);
      await t.idle();
      expect(t.mail.find({ to: student.email })).toHaveLength(2);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'member.invitation_resent', targetId: student.id })).toBe(2);
    });

    it('only for active members of the caller’s institute, by its managers', async () => {
      const institute = await seedInstitute(t);
      const elsewhere = await seedInstitute(t);
      const manager = await signedIn(t);
      const teacher = await signedIn(t);
      const otherManager = await signedIn(t);
      await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
      await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
      await seedMembership(t, otherManager.id, elsewhere.id, MembershipRole.Manager);
      const pending = await seedUser(t);
      await seedMembership(t, pending.id, institute.id, MembershipRole.Teacher, MembershipStatus.Pending);
      const student = await seedUser(t, { password: null });
      await seedMembership(t, student.id, institute.id, MembershipRole.Student);

      await t.http().post(`/api/institutes/${institute.id}/members/${student.id}/resend-invitation`).set(as(teacher.token)).expect(403);
      await t.http().post(`/api/institutes/${institute.id}/members/${student.id}/resend-invitation`).set(as(otherManager.token)).expect(404);
      const notMember = await t.http().post(`/api/institutes/${elsewhere.id}/members/${student.id}/resend-invitation`).set(as(otherManager.token)).expect(404);
      expect(notMember.body.code).toBe('MEMBER_NOT_FOUND');
      const notActive = await t.http().post(`/api/institutes/${institute.id}/members/${pending.id}/resend-invitation`).set(as(manager.token)).expect(409);
      expect(notActive.body.code).toBe('MEMBER_NOT_ACTIVE');
      await t.idle();
      t.mail.expectNone({ to: student.email });
    });
  });
});
