import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { FakeClock } from '../../src/common/clock';
import { CompanyAffiliation } from '../../src/companies/entities/company-affiliation.entity';
import { Company } from '../../src/companies/entities/company.entity';
import { InstituteStatus } from '../../src/institutes/entities/institute.entity';
import { Membership, MembershipRole } from '../../src/memberships/entities/membership.entity';
import { Notification } from '../../src/notifications/entities/notification.entity';
import { User } from '../../src/users/entities/user.entity';
import { login, seedInstitute, seedMembership, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { CapturedMail, linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

type Signed = Awaited<ReturnType<typeof signedIn>>;

describe('Self-registration and validation', () => {
  let t: TestApp;
  let staff: Signed;
  const clock = new FakeClock();

  beforeAll(async () => {
    t = await createTestApp({ clock });
    staff = await signedIn(t, { isStaff: true, firstName: 'Stella' });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => clock.reset());

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const tokenFrom = (mail: CapturedMail, path: string) => linkIn(mail, `${TEST_APP_URL}${path}?token=`).searchParams.get('token')!;

  async function verifyThroughMail(email: string, subject: RegExp = /Confirm your email/) {
    const mail = await t.mail.waitFor({ to: email, subject });
    await t
      .http()
      .post('/api/auth/verify-email')
      .send({ token: tokenFrom(mail, '/verify-email') })
      .expect(204);
  }

  /** An active institute with two active managers, signed in. */
  async function school() {
    const institute = await seedInstitute(t);
    const managers: Signed[] = [];
    for (const firstName of ['Marie', 'Marc']) {
      const m = await signedIn(t, { firstName });
      await seedMembership(t, m.id, institute.id, MembershipRole.Manager);
      managers.push(m);
    }
    return { institute, managers };
  }

  function teacherBody(instituteId: string, email = uniqueEmail('teacher')) {
    return { firstName: 'Théo', lastName: 'Durand', email, password: STRONG_PASSWORD, instituteId };
  }

  describe('teachers, validated by their institute', () => {
    it('register → verify from the email → log in pending → a manager reads the notification and activates → emailed → acts as a teacher', async () => {
      const { institute, managers } = await school();
      const body = teacherBody(institute.id);
      const res = await t.http().post('/api/auth/register/teacher').set('Accept-Language', 'fr-FR,fr;q=0.9').send(body).expect(202);
      await t.idle();
      expect(res.body).toEqual({ status: 'pending_validation' });

      // Not verified yet: the correct password is answered EMAIL_NOT_VERIFIED.
      const early = await t.http().post('/api/auth/login').send({ email: body.email, password: body.password }).expect(403);
      expect(early.body.code).toBe('EMAIL_NOT_VERIFIED');

      // The verification email is in the user's language (Accept-Language at registration).
      await verifyThroughMail(body.email, /Confirmez votre adresse/);
      const teacher = await login(t, body.email, body.password);
      const me = await t.http().get('/api/me').set(as(teacher.accessToken)).expect(200);
      expect(me.body.locale).toBe('fr');
      expect(me.body.memberships).toEqual([
        expect.objectContaining({ institute: { id: institute.id, name: institute.name }, role: 'teacher', status: 'pending' }),
      ]);
      // Pending: the teacher acts as nobody's teacher.
      await t.http().get(`/api/institutes/${institute.id}/members`).set(as(teacher.accessToken)).expect(403);
      await t.http().post('/api/users').set(as(teacher.accessToken)).send({ firstName: 'S', lastName: 'T', email: uniqueEmail() }).expect(403);

      // Each manager got an email with a link to the teacher's profile, and an in-app notification.
      const profileLink = `${TEST_APP_URL}/institutes/${institute.id}/members/${teacher.user.id}`;
      for (const m of managers) {
        const mail = await t.mail.waitFor({ to: m.email, subject: /asks to join/ });
        expect(linkIn(mail, profileLink).href).toBe(profileLink);
        expect(mail.html).toContain(profileLink);
      }
      const inbox = await t.http().get('/api/notifications').query({ unread: true }).set(as(managers[0].token)).expect(200);
      const note = inbox.body.items.find((n: { data: { userId: string } }) => n.data.userId === teacher.user.id);
      expect(note).toMatchObject({ type: 'teacher.pending', readAt: null, data: { instituteId: institute.id, link: profileLink, routedToStaff: false } });
      await t.http().post(`/api/notifications/${note.id}/read`).set(as(managers[0].token)).expect(204);
      const unread = await t.http().get('/api/notifications?unread=true').set(as(managers[0].token)).expect(200);
      expect(unread.body.items.map((n: { id: string }) => n.id)).not.toContain(note.id);
      const all = await t.http().get('/api/notifications').set(as(managers[0].token)).expect(200);
      expect(all.body.items.find((n: { id: string }) => n.id === note.id).readAt).toEqual(expect.any(String));
      // Another user's notification is not theirs to read.
      await t.http().post(`/api/notifications/${note.id}/read`).set(as(managers[1].token)).expect(404);

      // The manager lists pending members, then activates.
      const pending = await t.http().get(`/api/institutes/${institute.id}/members`).query({ status: 'pending' }).set(as(managers[0].token)).expect(200);
      expect(pending.body.items.map((m: { userId: string }) => m.userId)).toEqual([teacher.user.id]);
      const activated = await t.http().post(`/api/institutes/${institute.id}/members/${teacher.user.id}/activate`).set(as(managers[0].token)).expect(200);
      expect(activated.body).toMatchObject({ userId: teacher.user.id, role: 'teacher', status: 'active', validatedAt: expect.any(String) });
      const again = await t.http().post(`/api/institutes/${institute.id}/members/${teacher.user.id}/activate`).set(as(managers[1].token)).expect(409);
      expect(again.body.code).toBe('NOT_PENDING');

      const welcome = await t.mail.waitFor({ to: body.email, subject: /active|actif/i });
      expect(welcome.subject).toMatch(/[ÀàÉéèêç]|compte|enseignant/i); // French, the teacher's locale
      expect(welcome.text).toContain(institute.name);
      expect(welcome.html).toContain(institute.name);
      const teacherInbox = await t.http().get('/api/notifications').set(as(teacher.accessToken)).expect(200);
      expect(teacherInbox.body.items[0]).toMatchObject({ type: 'member.activated', data: { instituteId: institute.id } });

      // Now a teacher: lists members, creates a student.
      await t.http().get(`/api/institutes/${institute.id}/members`).set(as(teacher.accessToken)).expect(200);
      await t
        .http()
        .post('/api/users')
        .set(as(teacher.accessToken))
        .send({ firstName: 'Sam', lastName: 'Student', email: uniqueEmail('student') })
        .expect(201);
      expect((await t.http().get('/api/me').set(as(teacher.accessToken))).body.memberships[0].status).toBe('active');

      const actions = (await t.dataSource.getRepository(AuditEntry).find({ where: { targetId: teacher.user.id } })).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['auth.registered', 'auth.email_verified', 'member.activated']));
    });

    it('two managers activating at the same moment: one activation, one email', async () => {
      const { institute, managers } = await school();
      const body = teacherBody(institute.id);
      await t.http().post('/api/auth/register/teacher').send(body).expect(202);
      await t.idle();
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: body.email });
      const results = await Promise.all(managers.map((m) => t.http().post(`/api/institutes/${institute.id}/members/${user.id}/activate`).set(as(m.token))));
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      await t.mail.waitFor({ to: body.email, subject: /active/i });
      await t.idle();
      expect(t.mail.find({ to: body.email, subject: /active/i })).toHaveLength(1);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ targetId: user.id, action: 'member.activated' })).toBe(1);
    });

    it('a manager rejects with a reason: the teacher is emailed it and sees rejected', async () => {
      const { institute, managers } = await school();
      const body = teacherBody(institute.id);
      await t.http().post('/api/auth/register/teacher').send(body).expect(202);
      await t.idle();
      await verifyThroughMail(body.email);
      const user = await login(t, body.email, body.password);
      const res = await t
        .http()
        .post(`/api/institutes/${institute.id}/members/${user.user.id}/reject`)
        .set(as(managers[1].token))
        .send({ reason: 'Not on our staff list' })
        .expect(200);
      expect(res.body.status).toBe('rejected');
      const mail = await t.mail.waitFor({ to: body.email, subject: /declined|not accepted|rejected/i });
      expect(mail.text).toContain('Not on our staff list');
      const me = await t.http().get('/api/me').set(as(user.accessToken)).expect(200);
      expect(me.body.memberships[0].status).toBe('rejected');
      await t.http().post(`/api/institutes/${institute.id}/members/${user.user.id}/activate`).set(as(managers[0].token)).expect(409);
      await t.http().get(`/api/institutes/${institute.id}/members`).set(as(user.accessToken)).expect(403);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ targetId: user.user.id, action: 'member.rejected' })).toBe(1);
    });

    it('an institute without an active manager routes the request to staff, who can activate', async () => {
      const institute = await seedInstitute(t);
      const body = teacherBody(institute.id);
      await t.http().post('/api/auth/register/teacher').send(body).expect(202);
      await t.idle();
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: body.email });
      const mail = await t.mail.waitFor({ to: staff.email, subject: new RegExp(`asks to join ${institute.name}`) });
      expect(mail.text).toContain(`${TEST_APP_URL}/institutes/${institute.id}/members/${user.id}`);
      const inbox = await t.http().get('/api/notifications').set(as(staff.token)).expect(200);
      expect(inbox.body.items.find((n: { data: { userId?: string } }) => n.data.userId === user.id)).toMatchObject({
        type: 'teacher.pending',
        data: { routedToStaff: true },
      });
      await t.http().post(`/api/institutes/${institute.id}/members/${user.id}/activate`).set(as(staff.token)).expect(200);
    });

    it('bad input: unknown, inactive or malformed institute, extra fields, weak password → 400 naming the field; nothing is written', async () => {
      const inactive = await seedInstitute(t, `Closed ${Date.now()}`, InstituteStatus.Inactive);
      const users = () => t.dataSource.getRepository(User).count();
      const before = await users();
      const cases: Array<[Record<string, unknown>, string]> = [
        [teacherBody('6f1c2a1e-0000-4000-8000-000000000000'), 'instituteId'],
        [teacherBody(inactive.id), 'instituteId'],
        [teacherBody('not-a-uuid'), 'instituteId'],
        [{ ...teacherBody(inactive.id), status: 'active' }, 'status'],
        [{ ...teacherBody(inactive.id), role: 'manager' }, 'role'],
        [{ ...teacherBody(inactive.id), password: 'password' }, 'password'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post('/api/auth/register/teacher').send(body).expect(400);
        expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await users()).toBe(before);
    });

    it('a manager of institute A cannot activate or reject a teacher of B (404)', async () => {
      const a = await school();
      const b = await school();
      const body = teacherBody(b.institute.id);
      await t.http().post('/api/auth/register/teacher').send(body).expect(202);
      await t.idle();
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: body.email });
      await t.http().post(`/api/institutes/${a.institute.id}/members/${user.id}/activate`).set(as(a.managers[0].token)).expect(404);
      await t.http().post(`/api/institutes/${b.institute.id}/members/${user.id}/activate`).set(as(a.managers[0].token)).expect(404);
      await t.http().post(`/api/institutes/${b.institute.id}/members/${user.id}/reject`).set(as(a.managers[0].token)).send({}).expect(404);
      expect((await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: user.id })).status).toBe('pending');
    });
  });

  describe('registration never reveals who has an account', () => {
    it('an existing account gets the same answer; the address is told by email with sign-in and reset links, not a verification link', async () => {
      const existing = await signedIn(t, { firstName: 'Ella' });
      const { institute } = await school();
      const fresh = await t.http().post('/api/auth/register/teacher').send(teacherBody(institute.id)).expect(202);
      await t.idle();
      const taken = await t.http().post('/api/auth/register/teacher').send(teacherBody(institute.id, existing.email.toUpperCase())).expect(202);
      await t.idle();
      expect(taken.body).toEqual(fresh.body);
      expect(Object.keys(taken.headers).sort()).toEqual(Object.keys(fresh.headers).sort());

      const mail = await t.mail.waitFor({ to: existing.email, subject: /already/i });
      expect(mail.text).toContain(`${TEST_APP_URL}/login`);
      const token = tokenFrom(mail, '/reset-password');
      await t.idle();
      t.mail.expectNone({ to: existing.email, subject: /Confirm your email/ });
      // No membership, no second account, the password untouched.
      expect(await t.dataSource.getRepository(Membership).countBy({ userId: existing.id })).toBe(0);
      await login(t, existing.email, existing.password);
      // The reset link in that email works.
      await t.http().post('/api/auth/password/reset').send({ token, password: 'a brand new passphrase' }).expect(204);
      await login(t, existing.email, 'a brand new passphrase');

      // Same for a professional registration.
      const pro = await t
        .http()
        .post('/api/auth/register/professional')
        .send({ firstName: 'E', lastName: 'L', email: existing.email, password: STRONG_PASSWORD, companyName: 'Whatever Ltd' })
        .expect(202);
      await t.idle();
      expect(pro.body).toEqual(fresh.body);
      expect(await t.dataSource.getRepository(Company).countBy({ normalizedName: 'whatever' })).toBe(0);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ targetId: existing.id, action: 'auth.registration_existing_account' })).toBe(2);
    });

    it('verification links expire after 24 h; resend sends a fresh one that works', async () => {
      const { institute } = await school();
      const body = teacherBody(institute.id);
      await t.http().post('/api/auth/register/teacher').send(body).expect(202);
      await t.idle();
      const first = await t.mail.waitFor({ to: body.email, subject: /Confirm your email/ });
      clock.advance(25 * 3600_000);
      const expired = await t
        .http()
        .post('/api/auth/verify-email')
        .send({ token: tokenFrom(first, '/verify-email') })
        .expect(401);
      expect(expired.body.code).toBe('INVALID_TOKEN');
      await t.http().post('/api/auth/verify-email/resend').send({ email: body.email }).expect(202);
      await t.idle();
      const mails = t.mail.find({ to: body.email, subject: /Confirm your email/ });
      expect(mails).toHaveLength(2);
      await t
        .http()
        .post('/api/auth/verify-email')
        .send({ token: tokenFrom(mails[1], '/verify-email') })
        .expect(204);
      await login(t, body.email, body.password);
    });

    it('no pre-hijacking: registering an address someone else registered first (unconfirmed) lets the mailbox owner choose the password, and the first password dies', async () => {
      const { institute } = await school();
      const victim = teacherBody(institute.id);
      // The attacker registers the victim's address first, with a password of their own.
      await t
        .http()
        .post('/api/auth/register/teacher')
        .send({ ...victim, firstName: 'Mallory', password: 'the attacker chose this' })
        .expect(202);
      await t.idle();
      // The victim registers later: the same 202, nothing about the account changes yet...
      await t.http().post('/api/auth/register/teacher').send(victim).expect(202);
      await t.idle();
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: victim.email });
      expect(await t.dataSource.getRepository(Membership).countBy({ userId: user.id })).toBe(1);
      // ...and the mailbox gets a link to finish by choosing the password, not a confirmation link.
      const finish = await t.mail.waitFor({ to: victim.email, subject: /Finish creating your Oktonine account/ });
      expect(t.mail.find({ to: victim.email, subject: /Confirm your email/ })).toHaveLength(1); // the attacker's registration's only
      await t
        .http()
        .post('/api/auth/password/reset')
        .send({ token: tokenFrom(finish, '/reset-password'), password: victim.password })
        .expect(204);
      // The victim holds a confirmed account; the attacker's password no longer opens it.
      await login(t, victim.email, victim.password);
      await t.http().post('/api/auth/login').send({ email: victim.email, password: 'the attacker chose this' }).expect(401);
      const me = (await t.dataSource.getRepository(User).findOneByOrFail({ id: user.id })).emailVerifiedAt;
      expect(me).not.toBeNull();
    });
  });

  describe('professionals, validated by staff within 48 hours', () => {
    let acmeId: string;

    beforeAll(async () => {
      const acme = await t.http().post('/api/companies').set(as(staff.token)).send({ name: 'Acme SAS' }).expect(201);
      acmeId = acme.body.id;
      expect(acme.body).toEqual({ id: acmeId, name: 'Acme SAS', status: 'approved' });
    });

    const proBody = (company: { companyId?: string; companyName?: string }, email = uniqueEmail('pro')) => ({
      firstName: 'Paula',
      lastName: 'Pro',
      email,
      password: STRONG_PASSWORD,
      ...company,
    });

    it('register with a new company → verify → log in pending → staff notified, queue with dueAt/overdue → approve → emailed, company approved', async () => {
      const name = `Globex ${Date.now().toString(36)} Corporation`;
      const body = proBody({ companyName: name });
      await t.http().post('/api/auth/register/professional').send(body).expect(202);
      await t.idle();
      await verifyThroughMail(body.email);
      const pro = await login(t, body.email, body.password);
      const me = await t.http().get('/api/me').set(as(pro.accessToken)).expect(200);
      expect(me.body.company).toMatchObject({ company: { name, status: 'pending' }, status: 'pending' });
      // A pending company is not offered to others.
      expect((await t.http().get('/api/companies').query({ search: 'globex' })).body).toEqual([]);

      const mail = await t.mail.waitFor({ to: staff.email, subject: new RegExp(`Paula Pro \\(${name}\\)`) });
      expect(mail.text).toContain(name);
      const inbox = await t.http().get('/api/notifications?unread=true').set(as(staff.token)).expect(200);
      expect(inbox.body.items.find((n: { data: { userId?: string } }) => n.data.userId === pro.user.id)).toMatchObject({
        type: 'professional.pending',
        data: { companyIsNew: true },
      });

      const queue = await t.http().get('/api/admin/professionals').query({ status: 'pending' }).set(as(staff.token)).expect(200);
      const item = queue.body.items.find((i: { userId: string }) => i.userId === pro.user.id);
      expect(item).toMatchObject({ name: 'Paula Pro', email: body.email, company: { name, status: 'pending' }, overdue: false });
      expect(new Date(item.dueAt).getTime() - new Date(item.submittedAt).getTime()).toBe(48 * 3600_000);
      const submitted = queue.body.items.map((i: { submittedAt: string }) => i.submittedAt);
      expect([...submitted].sort()).toEqual(submitted); // oldest first
      // Overdue is computed with the injectable clock: 49 hours later.
      clock.advance(49 * 3600_000);
      const later = await t.http().get('/api/admin/professionals').set(as(staff.token)).expect(200);
      expect(later.body.items.find((i: { userId: string }) => i.userId === pro.user.id).overdue).toBe(true);
      clock.reset();

      // Non-staff may not see or decide.
      await t.http().get('/api/admin/professionals').set(as(pro.accessToken)).expect(403);
      await t.http().post(`/api/admin/professionals/${pro.user.id}/approve`).set(as(pro.accessToken)).send({}).expect(403);

      const approved = await t.http().post(`/api/admin/professionals/${pro.user.id}/approve`).set(as(staff.token)).send({}).expect(200);
      expect(approved.body).toMatchObject({ status: 'approved', company: { name, status: 'approved' } });
      const again = await t.http().post(`/api/admin/professionals/${pro.user.id}/approve`).set(as(staff.token)).send({}).expect(409);
      expect(again.body.code).toBe('NOT_PENDING');
      const welcome = await t.mail.waitFor({ to: body.email, subject: /approved/i });
      expect(welcome.text).toContain(name);
      const after = await t.http().get('/api/me').set(as(pro.accessToken)).expect(200);
      expect(after.body.company).toMatchObject({ company: { name, status: 'approved' }, status: 'approved' });
      expect((await t.http().get('/api/companies').query({ search: 'globex' })).body.map((c: { name: string }) => c.name)).toEqual([name]);
      const proInbox = await t.http().get('/api/notifications').set(as(pro.accessToken)).expect(200);
      expect(proInbox.body.items[0].type).toBe('professional.approved');
      const actions = (await t.dataSource.getRepository(AuditEntry).find({ where: { targetId: pro.user.id } })).map((a) => a.action);
      expect(actions).toEqual(expect.arrayContaining(['auth.registered', 'auth.email_verified', 'professional.approved']));
    });

    it('a typed name matching an existing company (case, accents, punctuation, legal form) joins it instead of duplicating', async () => {
      for (const typed of ['ACME, Inc.', 'acme', 'Acmé S.A.S.', 'Acme Ltd']) {
        const body = proBody({ companyName: typed });
        await t.http().post('/api/auth/register/professional').send(body).expect(202);
        await t.idle();
        const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: body.email });
        expect((await t.dataSource.getRepository(CompanyAffiliation).findOneByOrFail({ userId: user.id })).companyId).toBe(acmeId);
      }
      expect(await t.dataSource.getRepository(Company).countBy({ normalizedName: 'acme' })).toBe(1);
      expect((await t.http().get('/api/companies').query({ search: 'acm' })).body).toEqual([{ id: acmeId, name: 'Acme SAS' }]);
      // Ligatures fold too: "Œuvre" is typed "oeuvre", and "Oeuvre SA" joins "Œuvre & Cie".
      const oeuvre = await t
        .http()
        .post('/api/companies')
        .set(as(staff.token))
        .send({ name: `Œuvre & Cie ${acmeId.slice(0, 6)}` })
        .expect(201);
      expect(
        (
          await t
            .http()
            .get('/api/companies')
            .query({ search: `oeuvre ${acmeId.slice(0, 6)}` })
        ).body.map((c: { id: string }) => c.id),
      ).toEqual([oeuvre.body.id]);
      const typedOeuvre = proBody({ companyName: `Oeuvre and Cie ${acmeId.slice(0, 6)} SA` });
      await t.http().post('/api/auth/register/professional').send(typedOeuvre).expect(202);
      await t.idle();
      const oeuvreUser = await t.dataSource.getRepository(User).findOneByOrFail({ email: typedOeuvre.email });
      expect((await t.dataSource.getRepository(CompanyAffiliation).findOneByOrFail({ userId: oeuvreUser.id })).companyId).toBe(oeuvre.body.id);
      // Two registrations typing the same new name at once end up in one company.
      const fresh = `Initrode ${Date.now().toString(36)}`;
      await Promise.all(
        [`${fresh} SARL`, `${fresh.toUpperCase()}`].map((n) =>
          t
            .http()
            .post('/api/auth/register/professional')
            .send(proBody({ companyName: n }))
            .expect(202),
        ),
      );
      await t.idle();
      expect(await t.dataSource.getRepository(Company).countBy({ normalizedName: fresh.toLowerCase() })).toBe(1);
    });

    it('staff fold a pending company into an existing one, or reject with a reason', async () => {
      const typo = `Acmee Industriez ${Date.now().toString(36)}`;
      const body = proBody({ companyName: typo });
      await t.http().post('/api/auth/register/professional').send(body).expect(202);
      await t.idle();
      const user = await t.dataSource.getRepository(User).findOneByOrFail({ email: body.email });
      const pendingCompany = (await t.dataSource.getRepository(CompanyAffiliation).findOneByOrFail({ userId: user.id })).companyId;
      const bad = await t.http().post(`/api/admin/professionals/${user.id}/approve`).set(as(staff.token)).send({ companyId: randomUUID() }).expect(400);
      expect(bad.body.details[0].field).toBe('companyId');
      const res = await t.http().post(`/api/admin/professionals/${user.id}/approve`).set(as(staff.token)).send({ companyId: acmeId }).expect(200);
      expect(res.body.company).toEqual({ id: acmeId, name: 'Acme SAS', status: 'approved' });
      expect(await t.dataSource.getRepository(Company).existsBy({ id: pendingCompany })).toBe(false);
      await t.mail.waitFor({ to: body.email, subject: /approved/i });

      const other = proBody({ companyId: acmeId });
      await t.http().post('/api/auth/register/professional').send(other).expect(202);
      await t.idle();
      const otherUser = await t.dataSource.getRepository(User).findOneByOrFail({ email: other.email });
      const rejected = await t
        .http()
        .post(`/api/admin/professionals/${otherUser.id}/reject`)
        .set(as(staff.token))
        .send({ reason: 'Unknown at Acme HR' })
        .expect(200);
      expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'Unknown at Acme HR' });
      const mail = await t.mail.waitFor({ to: other.email, subject: /not approved|rejected|declined/i });
      expect(mail.text).toContain('Unknown at Acme HR');
      await t.http().post(`/api/admin/professionals/${otherUser.id}/approve`).set(as(staff.token)).send({}).expect(409);
      await t.http().post(`/api/admin/professionals/${staff.id}/approve`).set(as(staff.token)).send({}).expect(404);
      expect(await t.dataSource.getRepository(AuditEntry).countBy({ targetId: otherUser.id, action: 'professional.rejected' })).toBe(1);
    });

    it('staff manage companies: create, rename, change status; duplicates by folded name are refused; others may not', async () => {
      const name = `Umbrella ${Date.now().toString(36)}`;
      const created = await t
        .http()
        .post('/api/companies')
        .set(as(staff.token))
        .send({ name: `${name} Corp` })
        .expect(201);
      const dup = await t
        .http()
        .post('/api/companies')
        .set(as(staff.token))
        .send({ name: `${name.toUpperCase()}, Inc.` })
        .expect(409);
      expect(dup.body.code).toBe('COMPANY_EXISTS');
      const renamed = await t
        .http()
        .patch(`/api/companies/${created.body.id}`)
        .set(as(staff.token))
        .send({ name: `${name} Holdings` })
        .expect(200);
      expect(renamed.body).toEqual({ id: created.body.id, name: `${name} Holdings`, status: 'approved' });
      await t.http().patch(`/api/companies/${created.body.id}`).set(as(staff.token)).send({ name: 'Acme' }).expect(409);
      await t.http().patch(`/api/companies/${created.body.id}`).set(as(staff.token)).send({ status: 'rejected' }).expect(200);
      expect(
        (
          await t
            .http()
            .get('/api/companies')
            .query({ search: name.split(' ')[1] })
        ).body,
      ).toEqual([]);
      const user = await signedIn(t);
      await t.http().post('/api/companies').set(as(user.token)).send({ name: 'Nope' }).expect(403);
      await t.http().patch(`/api/companies/${created.body.id}`).set(as(user.token)).send({ name: 'Nope' }).expect(403);
      await t.http().patch('/api/companies/00000000-0000-4000-8000-000000000000').set(as(staff.token)).send({ name: 'Ghost' }).expect(404);
    });

    it('bad input: unknown or pending companyId, both or neither company fields, extra fields → 400 naming the field', async () => {
      const pendingCo = `Pending Co ${Date.now().toString(36)}`;
      await t
        .http()
        .post('/api/auth/register/professional')
        .send(proBody({ companyName: pendingCo }))
        .expect(202);
      await t.idle();
      const pending = await t.dataSource.getRepository(Company).findOneByOrFail({ name: pendingCo });
      const users = await t.dataSource.getRepository(User).count();
      const cases: Array<[Record<string, unknown>, string]> = [
        [proBody({ companyId: pending.id }), 'companyId'],
        [proBody({ companyId: '6f1c2a1e-0000-4000-8000-000000000000' }), 'companyId'],
        [proBody({}), 'companyId'],
        [proBody({ companyId: acmeId, companyName: 'Acme' }), 'companyId'],
        [{ ...proBody({ companyId: acmeId }), status: 'approved' }, 'status'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post('/api/auth/register/professional').send(body).expect(400);
        expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      }
      expect(await t.dataSource.getRepository(User).count()).toBe(users);
      expect(await t.dataSource.getRepository(Notification).countBy({ userId: staff.id })).toBeGreaterThan(0);
    });
  });
});
