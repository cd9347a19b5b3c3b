import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { Membership, MembershipRole, MembershipStatus } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedInstitute, seedMembership, seedUser, signedIn, STRONG_PASSWORD, uniqueEmail, login } from '../support/factories';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';
import { foldName } from '../../src/users/email';
import { syncMemberSearch } from '../../src/memberships/member-search';

type Signed = Awaited<ReturnType<typeof signedIn>>;

describe('Institutes, users and memberships', () => {
  let t: TestApp;
  let staff: Signed;

  beforeAll(async () => {
    t = await createTestApp();
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  /** An institute with an active manager, teacher and student, all signed in. */
  async function school(name = `School ${uniqueEmail('x').slice(2, 10)}`) {
    const res = await t.http().post('/api/institutes').set(as(staff.token)).send({ name, city: 'Lyon', country: 'France' }).expect(201);
    const id: string = res.body.id;
    const manager = await signedIn(t);
    const teacher = await signedIn(t);
    const student = await signedIn(t);
    await t.http().post(`/api/institutes/${id}/members`).set(as(staff.token)).send({ userId: manager.id, role: 'manager' }).expect(201);
    await seedMembership(t, teacher.id, id, MembershipRole.Teacher);
    await seedMembership(t, student.id, id, MembershipRole.Student);
    return { id, name, manager, teacher, student };
  }

  describe('institutes', () => {
    it('staff create and edit institutes; others may not', async () => {
      const user = await signedIn(t);
      await t.http().post('/api/institutes').set(as(user.token)).send({ name: 'Nope' }).expect(403);
      const created = await t.http().post('/api/institutes').set(as(staff.token)).send({ name: 'Lycée Ampère', city: 'Lyon', country: 'France' }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Lycée Ampère', city: 'Lyon', country: 'France', status: 'active' });
      const patched = await t.http().patch(`/api/institutes/${created.body.id}`).set(as(staff.token)).send({ name: 'Lycée André-Marie Ampère' }).expect(200);
      expect(patched.body.name).toBe('Lycée André-Marie Ampère');
      await t.http().patch(`/api/institutes/${created.body.id}`).set(as(user.token)).send({ name: 'x' }).expect(403);
      await t.http().post('/api/institutes').set(as(staff.token)).send({ name: '' }).expect(400);
    });

    it('the public search matches word prefixes ignoring case and accents, active institutes only, at most 20', async () => {
      const tag = `Zq${Date.now().toString(36)}`;
      const a = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Saint-Exupéry ${tag}`, city: 'Paris' })
        .expect(201);
      await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `École Sainte-Marie ${tag}`, status: 'inactive' })
        .expect(201);
      await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `Collège Victor Hugo ${tag}` })
        .expect(201);
      const res = await t
        .http()
        .get('/api/institutes')
        .query({ search: `ecole st ${tag.toUpperCase()}` })
        .expect(200);
      expect(res.body).toEqual([{ id: a.body.id, name: `École Saint-Exupéry ${tag}`, city: 'Paris', country: null }]);
      const byWord = await t
        .http()
        .get('/api/institutes')
        .query({ search: `exup ${tag}` })
        .expect(200);
      expect(byWord.body.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
      // Renaming re-indexes the words.
      await t
        .http()
        .patch(`/api/institutes/${a.body.id}`)
        .set(as(staff.token))
        .send({ name: `Institut Pasteur ${tag}` })
        .expect(200);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `exup ${tag}` })
        ).body,
      ).toEqual([]);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `pasteur ${tag}` })
        ).body,
      ).toHaveLength(1);

      // Ligatures and stroked letters fold like the rest: "coeur" finds "Sacré-Cœur", "lodz" finds "Łódź".
      const coeur = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `Lycée du Sacré-Cœur ${tag}` })
        .expect(201);
      const lodz = await t
        .http()
        .post('/api/institutes')
        .set(as(staff.token))
        .send({ name: `Szkoła Łódź Straße ${tag}` })
        .expect(201);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `sacre coeur ${tag}` })
        ).body.map((i: { id: string }) => i.id),
      ).toEqual([coeur.body.id]);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `lodz strasse ${tag}` })
        ).body.map((i: { id: string }) => i.id),
      ).toEqual([lodz.body.id]);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `SACRÉ-CŒUR ${tag}` })
        ).body.map((i: { id: string }) => i.id),
      ).toEqual([coeur.body.id]);

      for (let i = 0; i < 22; i++)
        await t
          .http()
          .post('/api/institutes')
          .set(as(staff.token))
          .send({ name: `Many ${tag} ${i}` })
          .expect(201);
      expect(
        (
          await t
            .http()
            .get('/api/institutes')
            .query({ search: `many ${tag}` })
        ).body,
      ).toHaveLength(20);
      await t.http().get('/api/institutes').query({ limit: 50 }).expect(400);
    });

    it('members read their institute; others get 404', async () => {
      const s = await school();
      await t.http().get(`/api/institutes/${s.id}`).set(as(s.student.token)).expect(200);
      const outsider = await signedIn(t);
      const res = await t.http().get(`/api/institutes/${s.id}`).set(as(outsider.token)).expect(404);
      expect(res.body.code).toBe('INSTITUTE_NOT_FOUND');
    });
  });

  describe('Create a user', () => {
    it('a manager creates a user with a password: usable at once, creator recorded', async () => {
      const s = await school();
      const email = uniqueEmail('new');
      const res = await t
        .http()
        .post('/api/users')
        .set(as(s.manager.token))
        .send({ firstName: 'Noé', lastName: 'Martin', email: email.toUpperCase(), password: STRONG_PASSWORD })
        .expect(201);
      expect(res.body).toEqual({ id: expect.any(String), firstName: 'Noé', lastName: 'Martin', email });
      await login(t, email, STRONG_PASSWORD);
      const row = await t.dataSource.getRepository(User).findOneByOrFail({ id: res.body.id });
      expect(row.createdById).toBe(s.manager.id);
      await t.http().get(`/api/users/${res.body.id}`).set(as(s.manager.token)).expect(200);
    });

    it('without a password, a set-password email goes out with the reset link', async () => {
      const s = await school();
      const email = uniqueEmail('nopw');
      await t.http().post('/api/users').set(as(s.teacher.token)).send({ firstName: 'Ana', lastName: 'Lopez', email }).expect(201);
      const mail = await t.mail.waitFor({ to: email, subject: /choose a password/ });
      const token = linkIn(mail, `${TEST_APP_URL}/reset-password?token=`).searchParams.get('token')!;
      await t.http().post('/api/auth/password/reset').send({ token, password: 'ana chooses her own' }).expect(204);
      await login(t, email, 'ana chooses her own');
    });

    it('refuses a taken email (409), a weak password (400), unknown fields (400) and students (403)', async () => {
      const s = await school();
      const dup = await t
        .http()
        .post('/api/users')
        .set(as(s.manager.token))
        .send({ firstName: 'A', lastName: 'B', email: s.student.email.toUpperCase() })
        .expect(409);
      expect(dup.body.code).toBe('EMAIL_TAKEN');
      const weak = await t
        .http()
        .post('/api/users')
        .set(as(s.manager.token))
        .send({ firstName: 'A', lastName: 'B', email: uniqueEmail(), password: 'password' })
        .expect(400);
      expect(weak.body.details[0].field).toBe('password');
      const extra = await t
        .http()
        .post('/api/users')
        .set(as(s.manager.token))
        .send({ firstName: 'A', lastName: 'B', email: uniqueEmail(), isStaff: true })
        .expect(400);
      expect(extra.body.details).toEqual([{ field: 'isStaff', message: 'unknown field isStaff' }]);
      await t.http().post('/api/users').set(as(s.student.token)).send({ firstName: 'A', lastName: 'B', email: uniqueEmail() }).expect(403);
    });

    it('a user is visible to the creator while it belongs nowhere, then to the institute’s managers and teachers only', async () => {
      const s = await school();
      const other = await school();
      const created = await t
        .http()
        .post('/api/users')
        .set(as(s.manager.token))
        .send({ firstName: 'V', lastName: 'W', email: uniqueEmail(), password: STRONG_PASSWORD })
        .expect(201);
      const id = created.body.id;
      await t.http().get(`/api/users/${id}`).set(as(s.teacher.token)).expect(404);
      await t.http().get(`/api/users/${id}`).set(as(other.manager.token)).expect(404);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: id, role: 'student' }).expect(201);
      await t.http().get(`/api/users/${id}`).set(as(s.teacher.token)).expect(200);
      await t.http().get(`/api/users/${id}`).set(as(s.student.token)).expect(404);
      await t.http().get(`/api/users/${id}`).set(as(other.manager.token)).expect(404);
      await t.http().get('/api/users/not-a-uuid').set(as(s.manager.token)).expect(404);
    });
  });

  describe('Join an institute', () => {
    it('creates and attaches in one call, atomically', async () => {
      const s = await school();
      const email = uniqueEmail('inline');
      const res = await t
        .http()
        .post(`/api/institutes/${s.id}/members`)
        .set(as(s.teacher.token))
        .send({ user: { firstName: 'Léa', lastName: 'Petit', email }, role: 'student', group: ' 3B ', department: 'Sciences' })
        .expect(201);
      expect(res.body).toMatchObject({ email, role: 'student', status: 'active', group: '3B', department: 'Sciences', instituteId: s.id });
      const mail = await t.mail.waitFor({ to: email, subject: /choose a password/ });
      expect(mail.text).toContain(s.name);

      // A taken email in the inline user leaves nothing behind: no user, no membership.
      const before = await t.dataSource.getRepository(Membership).countBy({ instituteId: s.id });
      const dup = await t
        .http()
        .post(`/api/institutes/${s.id}/members`)
        .set(as(s.manager.token))
        .send({ user: { firstName: 'X', lastName: 'Y', email }, role: 'student' })
        .expect(409);
      expect(dup.body.code).toBe('EMAIL_TAKEN');
      expect(await t.dataSource.getRepository(Membership).countBy({ instituteId: s.id })).toBe(before);
      // A failing membership rolls back the new user.
      const ghostEmail = uniqueEmail('ghost');
      await t
        .http()
        .post(`/api/institutes/${s.id}/members`)
        .set(as(s.manager.token))
        .send({ user: { firstName: 'X', lastName: 'Y', email: ghostEmail, password: 'short' }, role: 'student' })
        .expect(400);
      expect(await t.dataSource.getRepository(User).countBy({ email: ghostEmail })).toBe(0);
    });

    it('managers give any role; teachers only student (403 otherwise); students nothing', async () => {
      const s = await school();
      const mk = async (token: string) =>
        (await t.http().post('/api/users').set(as(token)).send({ firstName: 'A', lastName: 'B', email: uniqueEmail(), password: STRONG_PASSWORD }).expect(201))
          .body.id;
      const u1 = await mk(s.teacher.token);
      const denied = await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.teacher.token)).send({ userId: u1, role: 'teacher' }).expect(403);
      expect(denied.body.code).toBe('ROLE_NOT_ALLOWED');
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.teacher.token)).send({ userId: u1, role: 'manager' }).expect(403);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.teacher.token)).send({ userId: u1, role: 'student' }).expect(201);
      const u2 = await mk(s.manager.token);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: u2, role: 'manager' }).expect(201);
      const u3 = await mk(s.manager.token);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.student.token)).send({ userId: u3, role: 'student' }).expect(403);
      const dup = await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: u2, role: 'student' }).expect(409);
      expect(dup.body.code).toBe('ALREADY_MEMBER');
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: u3, role: 'boss' }).expect(400);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ role: 'student' }).expect(400);
    });

    it('staff attach anyone; a user created outside the institute is told which institute added them', async () => {
      const s = await school();
      const outsider = await signedIn(t, { firstName: 'Omar' });
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(staff.token)).send({ userId: outsider.id, role: 'teacher' }).expect(201);
      const mail = await t.mail.waitFor({ to: outsider.email, subject: `${s.name} added you on Oktonine` });
      expect(mail.text).toContain('as teacher');
    });
  });

  describe('members list', () => {
    it('filters, searches and pages with a cursor that stays correct while members are added', async () => {
      const s = await school();
      const add = async (first: string, last: string, role: string, group: string) => {
        const res = await t
          .http()
          .post(`/api/institutes/${s.id}/members`)
          .set(as(s.manager.token))
          .send({ user: { firstName: first, lastName: last, email: uniqueEmail(first.toLowerCase()), password: STRONG_PASSWORD }, role, group })
          .expect(201);
        return res.body.userId as string;
      };
      for (let i = 0; i < 7; i++) await add(`Stu${i}`, `Dupont${i}`, 'student', i % 2 ? 'A' : 'B');
      await add('Tina', 'Teach', 'teacher', 'A');

      const all: string[] = [];
      let cursor: string | undefined;
      let first = true;
      do {
        const page = await t
          .http()
          .get(`/api/institutes/${s.id}/members`)
          .query({ limit: 3, ...(cursor ? { cursor } : {}) })
          .set(as(s.teacher.token))
          .expect(200);
        all.push(...page.body.items.map((m: { userId: string }) => m.userId));
        cursor = page.body.nextCursor ?? undefined;
        if (first) {
          // Added after the first page: sorts before it, so later pages neither repeat nor skip anyone.
          await add('Late', 'Comer', 'student', 'B');
          first = false;
        }
      } while (cursor);
      expect(all).toHaveLength(11); // manager, teacher, student from school() + 8 added before paging
      expect(new Set(all).size).toBe(11);

      const students = await t.http().get(`/api/institutes/${s.id}/members`).query({ role: 'student', group: 'A' }).set(as(s.manager.token)).expect(200);
      expect(students.body.items.every((m: { role: string; group: string }) => m.role === 'student' && m.group === 'A')).toBe(true);
      expect(students.body.items).toHaveLength(3);
      const search = await t.http().get(`/api/institutes/${s.id}/members`).query({ search: 'dupont3' }).set(as(s.manager.token)).expect(200);
      expect(search.body.items.map((m: { lastName: string }) => m.lastName)).toEqual(['Dupont3']);
      // Names fold like institute names: accents, case, ligatures and stroked letters.
      await add('Zoë', 'Œuvray', 'student', 'C');
      await add('Ola', 'Łukasiewicz', 'student', 'C');
      const folded = async (q: string) =>
        (await t.http().get(`/api/institutes/${s.id}/members`).query({ search: q }).set(as(s.manager.token)).expect(200)).body.items.map(
          (m: { lastName: string }) => m.lastName,
        );
      expect(await folded('oeuvr')).toEqual(['Œuvray']);
      expect(await folded('ŒUVRAY')).toEqual(['Œuvray']);
      expect(await folded('lukas')).toEqual(['Łukasiewicz']);
      expect(await folded('zoe')).toEqual(['Œuvray']);
      const byEmail = await t.http().get(`/api/institutes/${s.id}/members`).query({ search: 'TINA' }).set(as(s.manager.token)).expect(200);
      expect(byEmail.body.items.map((m: { firstName: string }) => m.firstName)).toEqual(['Tina']);

      await t.http().get(`/api/institutes/${s.id}/members`).set(as(s.student.token)).expect(403);
      await t.http().get(`/api/institutes/${s.id}/members`).query({ role: 'king' }).set(as(s.manager.token)).expect(400);
      await t.http().get(`/api/institutes/${s.id}/members`).query({ status: 'sleeping' }).set(as(s.manager.token)).expect(400);
      await t.http().get(`/api/institutes/${s.id}/members`).query({ cursor: 'not-a-cursor' }).set(as(s.manager.token)).expect(400);
    });
  });

  describe('roles modification and detach', () => {
    it('a manager changes a role; the member is emailed and acts in the new role on the very next request', async () => {
      const s = await school();
      const newbie = (await t.http().post('/api/users').set(as(s.student.token)).send({ firstName: 'A', lastName: 'B', email: uniqueEmail() })).status;
      expect(newbie).toBe(403);
      await t.http().patch(`/api/institutes/${s.id}/members/${s.student.id}`).set(as(s.manager.token)).send({ role: 'teacher', group: '4A' }).expect(200);
      await t.mail.waitFor({ to: s.student.email, subject: `Your role at ${s.name} has changed` });
      await t.http().get(`/api/institutes/${s.id}/members`).set(as(s.student.token)).expect(200);
      await t.http().patch(`/api/institutes/${s.id}/members/${s.teacher.id}`).set(as(s.teacher.token)).send({ role: 'manager' }).expect(403);
      await t.http().patch(`/api/institutes/${s.id}/members/${s.teacher.id}`).set(as(s.manager.token)).send({ role: 'emperor' }).expect(400);
    });

    it('never leaves the institute without an active manager', async () => {
      const s = await school();
      const res = await t.http().patch(`/api/institutes/${s.id}/members/${s.manager.id}`).set(as(s.manager.token)).send({ role: 'teacher' }).expect(409);
      expect(res.body.code).toBe('LAST_MANAGER');
      await t.http().delete(`/api/institutes/${s.id}/members/${s.manager.id}`).set(as(s.manager.token)).expect(409);
      await t.http().delete(`/api/institutes/${s.id}/members/${s.student.id}`).set(as(s.manager.token)).expect(204);
      await t.http().get(`/api/institutes/${s.id}`).set(as(s.student.token)).expect(404);
    });

    it('two managers demoting each other at the same moment: exactly one succeeds', async () => {
      for (let round = 0; round < 3; round++) {
        const s = await school();
        const second = await signedIn(t);
        await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: second.id, role: 'manager' }).expect(404); // not visible to the manager
        await t.http().post(`/api/institutes/${s.id}/members`).set(as(staff.token)).send({ userId: second.id, role: 'manager' }).expect(201);
        const [a, b] = await Promise.all([
          t.http().patch(`/api/institutes/${s.id}/members/${second.id}`).set(as(s.manager.token)).send({ role: 'teacher' }),
          t.http().patch(`/api/institutes/${s.id}/members/${s.manager.id}`).set(as(second.token)).send({ role: 'teacher' }),
        ]);
        // The loser is refused: 409 LAST_MANAGER when both were in flight, or 403 when the winner
        // had already committed by the time the loser's right to act was read (it is no longer a manager).
        const [won, lost] = [a.status, b.status].sort();
        expect(won).toBe(200);
        expect([403, 409]).toContain(lost);
        const managers = await t.dataSource
          .getRepository(Membership)
          .countBy({ instituteId: s.id, role: MembershipRole.Manager, status: MembershipStatus.Active });
        expect(managers).toBe(1);
      }
    });

    it('records every create, attach, role change and detach, readable by the institute’s managers', async () => {
      const s = await school();
      const res = await t
        .http()
        .post(`/api/institutes/${s.id}/members`)
        .set(as(s.manager.token))
        .send({ user: { firstName: 'Au', lastName: 'Dit', email: uniqueEmail(), password: STRONG_PASSWORD }, role: 'student' })
        .expect(201);
      await t.http().patch(`/api/institutes/${s.id}/members/${res.body.userId}`).set(as(s.manager.token)).send({ role: 'teacher' }).expect(200);
      await t.http().delete(`/api/institutes/${s.id}/members/${res.body.userId}`).set(as(s.manager.token)).expect(204);
      const log = await t.http().get(`/api/institutes/${s.id}/audit`).set(as(s.manager.token)).expect(200);
      const actions = log.body.items.filter((e: { targetId: string }) => e.targetId === res.body.userId).map((e: { action: string }) => e.action);
      expect(actions).toEqual(expect.arrayContaining(['user.created', 'member.added', 'member.role_changed', 'member.removed']));
      expect(log.body.items.every((e: { instituteId: string }) => e.instituteId === s.id)).toBe(true);
      await t.http().get(`/api/institutes/${s.id}/audit`).set(as(s.teacher.token)).expect(403);
    });
  });

  describe('tenant isolation', () => {
    it('the manager, teacher and student of A get 403/404 on every route against B’s ids, and nothing changes', async () => {
      const A = await school();
      const B = await school();
      const snapshot = async () => ({
        memberships: await t.dataSource.getRepository(Membership).find({ where: { instituteId: B.id }, order: { id: 'ASC' } }),
        audit: await t.dataSource.getRepository(AuditEntry).countBy({ instituteId: B.id }),
        users: await t.dataSource.getRepository(User).count(),
      });
      const before = await snapshot();
      const newUser = () => ({ firstName: 'X', lastName: 'Y', email: uniqueEmail('iso'), password: STRONG_PASSWORD });
      for (const caller of [A.manager, A.teacher, A.student]) {
        const h = as(caller.token);
        const calls = [
          t.http().get(`/api/institutes/${B.id}`).set(h),
          t.http().get(`/api/institutes/${B.id}/members`).set(h),
          t.http().get(`/api/institutes/${B.id}/members/${B.student.id}`).set(h),
          t.http().post(`/api/institutes/${B.id}/members`).set(h).send({ userId: caller.id, role: 'student' }),
          t.http().post(`/api/institutes/${B.id}/members`).set(h).send({ user: newUser(), role: 'student' }),
          t.http().patch(`/api/institutes/${B.id}/members/${B.student.id}`).set(h).send({ role: 'manager' }),
          t.http().delete(`/api/institutes/${B.id}/members/${B.student.id}`).set(h),
          t.http().get(`/api/institutes/${B.id}/audit`).set(h),
          t.http().patch(`/api/institutes/${B.id}`).set(h).send({ name: 'Hacked' }),
          // B's ids through A's own routes.
          t.http().get(`/api/users/${B.student.id}`).set(h),
          t.http().get(`/api/institutes/${A.id}/members/${B.student.id}`).set(h),
          t.http().patch(`/api/institutes/${A.id}/members/${B.student.id}`).set(h).send({ role: 'teacher' }),
          t.http().delete(`/api/institutes/${A.id}/members/${B.student.id}`).set(h),
          t.http().post(`/api/institutes/${A.id}/members`).set(h).send({ userId: B.student.id, role: 'student' }),
        ];
        for (const res of await Promise.all(calls)) {
          expect([403, 404]).toContain(res.status);
          expect(res.body).toEqual({ statusCode: res.status, code: expect.any(String), message: expect.any(String) });
        }
      }
      expect(await snapshot()).toEqual(before);
    });

    it('an unknown institute or user id answers 404', async () => {
      const s = await school();
      const unknown = '00000000-0000-4000-8000-000000000000';
      await t.http().get(`/api/institutes/${unknown}/members`).set(as(s.manager.token)).expect(404);
      await t.http().get(`/api/institutes/${unknown}`).set(as(staff.token)).expect(404);
      await t.http().patch(`/api/institutes/${s.id}/members/${unknown}`).set(as(s.manager.token)).send({ role: 'teacher' }).expect(404);
      await t.http().post(`/api/institutes/${s.id}/members`).set(as(s.manager.token)).send({ userId: unknown, role: 'student' }).expect(404);
      await t.http().post(`/api/institutes/${unknown}/members`).set(as(staff.token)).send({ userId: s.student.id, role: 'student' }).expect(404);
    });
  });
});

/** The search reads the members' copied search keys (on MariaDB a UNION of three prefix ranges): the same on both engines. */
describe.each([
  ['MariaDB', () => ({})],
  ['SQLite', (dir: string) => ({ DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, REDIS_URL: undefined })],
])('Members search on %s', (_, env) => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okt-member-search-'));
    t = await createTestApp({ env: env(dir) });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages newest first with a cursor, with each match once, combined with filters, within the institute only', async () => {
    const tag = `zq${randomBytes(3).toString('hex').replace(/\d/g, 'x')}`;
    const institute = await seedInstitute(t);
    const other = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const member = async (opts: Parameters<typeof seedUser>[1], role = MembershipRole.Student, at = institute.id) => {
      const user = await seedUser(t, opts);
      await seedMembership(t, user.id, at, role);
      return user.id;
    };
    const expected: string[] = [];
    for (let i = 0; i < 5; i++) expected.push(await member({ lastName: `${tag.toUpperCase()}son${i}` }));
    expected.push(await member({ firstName: `${tag}ette` }, MembershipRole.Teacher));
    expected.push(await member({ email: `${tag}.mail@example.org` }));
    // Matches on its email and its last name: listed once.
    expected.push(await member({ email: `${tag}.both@example.org`, lastName: `${tag}both` }));
    await member({ lastName: `x${tag}` });
    await member({ lastName: 'Unrelated' });
    await member({ lastName: `${tag}elsewhere` }, MembershipRole.Student, other.id);

    const as = { Authorization: `Bearer ${manager.token}` };
    const newestFirst: string[] = [];
    // A cursor that brings the same page back (SQLite stored times to the second) would loop: bounded.
    for (let cursor: string | undefined, pages = 0; (pages === 0 || cursor) && pages < 20; pages++) {
      const res = await t
        .http()
        .get(`/api/institutes/${institute.id}/members`)
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set(as)
        .expect(200);
      newestFirst.push(...res.body.items.map((m: { userId: string }) => m.userId));
      cursor = res.body.nextCursor ?? undefined;
    }
    const found: string[] = [];
    let pages = 0;
    for (let cursor: string | undefined; (pages === 0 || cursor) && pages < 20; pages++) {
      const res = await t
        .http()
        .get(`/api/institutes/${institute.id}/members`)
        .query({ search: tag, limit: 3, ...(cursor ? { cursor } : {}) })
        .set(as)
        .expect(200);
      found.push(...res.body.items.map((m: { userId: string }) => m.userId));
      cursor = res.body.nextCursor ?? undefined;
    }
    expect(pages).toBe(3);
    expect(found).toEqual(newestFirst.filter((id) => expected.includes(id)));
    expect(found).toHaveLength(expected.length);

    // Each item as the member's own route shows it (a validated one with group and department too).
    await t.dataSource
      .createQueryBuilder()
      .update(Membership)
      .set({ validatedAt: new Date('2026-03-04T05:06:07.089Z'), group: '4B', department: 'Sciences' })
      .where({ userId: expected[0], instituteId: institute.id })
      .execute();
    const page = await t.http().get(`/api/institutes/${institute.id}/members`).query({ search: tag }).set(as).expect(200);
    for (const item of page.body.items) {
      expect(item).toEqual((await t.http().get(`/api/institutes/${institute.id}/members/${item.userId}`).set(as).expect(200)).body);
    }
    expect(page.body.items.find((m: { userId: string }) => m.userId === expected[0])).toMatchObject({
      validatedAt: '2026-03-04T05:06:07.089Z',
      group: '4B',
      department: 'Sciences',
    });

    // `_` and `%` are themselves, not LIKE's wildcards (SQLite has no default escape character).
    const underscore = await member({ email: `${tag}_under@example.org` });
    await member({ email: `${tag}xunder@example.org` });
    const literal = await t
      .http()
      .get(`/api/institutes/${institute.id}/members`)
      .query({ search: `${tag}_und` })
      .set(as)
      .expect(200);
    expect(literal.body.items.map((m: { userId: string }) => m.userId)).toEqual([underscore]);

    const teachers = await t.http().get(`/api/institutes/${institute.id}/members`).query({ search: tag, role: 'teacher' }).set(as).expect(200);
    expect(teachers.body.items.map((m: { firstName: string }) => m.firstName)).toEqual([`${tag}ette`]);
  });

  it('a broad search (over 5,000 matches, read newest first on MariaDB) pages like a narrow one: newest first, each match once', async () => {
    const tag = `zb${randomBytes(3).toString('hex').replace(/\d/g, 'y')}`;
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    // 5,050 members whose email and first name both match (10,100 matches in all), numbered so
    // that a key's index order is its age: a page made from the first 5,001 entries of each key
    // would hold the oldest, not the newest.
    const count = 5050;
    const at = Date.now() - 3_600_000;
    const people = Array.from({ length: count }, (_, i) => {
      const n = String(i).padStart(5, '0');
      return {
        id: randomUUID(),
        email: `${tag}${n}@example.org`,
        firstName: `${tag}${n}`,
        lastName: 'Broad',
        at: new Date(at + i * 1000),
        teacher: i % 1000 === 999,
      };
    });
    for (let i = 0; i < count; i += 500) {
      const part = people.slice(i, i + 500);
      await t.dataSource.getRepository(User).insert(
        part.map((p) => ({
          id: p.id,
          email: p.email,
          firstName: p.firstName,
          lastName: p.lastName,
          foldedFirstName: foldName(p.firstName),
          foldedLastName: foldName(p.lastName),
        })),
      );
      const memberships = part.map((p) => ({
        id: randomUUID(),
        userId: p.id,
        instituteId: institute.id,
        role: p.teacher ? MembershipRole.Teacher : MembershipRole.Student,
        status: MembershipStatus.Active,
        createdAt: p.at,
      }));
      await t.dataSource.getRepository(Membership).insert(memberships);
      // Their search keys, copied from the accounts as the app does.
      await syncMemberSearch(
        t.dataSource.manager,
        'id',
        memberships.map((m) => m.id),
      );
    }
    const as = { Authorization: `Bearer ${manager.token}` };
    const newest = [...people].reverse().map((p) => p.id);
    const found: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 3; pages++) {
      const res = await t
        .http()
        .get(`/api/institutes/${institute.id}/members`)
        .query({ search: tag, limit: 100, ...(cursor ? { cursor } : {}) })
        .set(as)
        .expect(200);
      found.push(...res.body.items.map((m: { userId: string }) => m.userId));
      cursor = res.body.nextCursor;
    }
    expect(found).toEqual(newest.slice(0, 300));
    // A narrow search in the same institute: its few matches.
    const narrow = await t
      .http()
      .get(`/api/institutes/${institute.id}/members`)
      .query({ search: `${tag}0504` })
      .set(as)
      .expect(200);
    expect(narrow.body.items.map((m: { userId: string }) => m.userId)).toEqual(newest.slice(0, 10));
    // Broad, with a filter: its five teachers, newest first.
    const teachers = await t.http().get(`/api/institutes/${institute.id}/members`).query({ search: tag, role: 'teacher' }).set(as).expect(200);
    expect(teachers.body.items.map((m: { userId: string }) => m.userId)).toEqual(
      [...people]
        .reverse()
        .filter((p) => p.teacher)
        .map((p) => p.id),
    );
  });
});
