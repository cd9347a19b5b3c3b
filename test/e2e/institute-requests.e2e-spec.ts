import { randomBytes } from 'node:crypto';
import { Membership } from '../../src/memberships/entities/membership.entity';
import { InstituteRequest } from '../../src/onboarding/entities/institute-request.entity';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { login, seedMembership, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

type Signed = Awaited<ReturnType<typeof signedIn>>;

describe('Requests to register an institute', () => {
  let t: TestApp;
  let staff: Signed;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const tag = () =>
    randomBytes(3)
      .toString('hex')
      .replace(/\d/g, (d) => 'qrstuvwxyz'[Number(d)]);

  beforeAll(async () => {
    t = await createTestApp();
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  function body(name: string, email = uniqueEmail('requester')) {
    return { institute: { name, city: 'Lyon', country: 'France' }, firstName: 'Rosa', lastName: 'Requester', email, password: STRONG_PASSWORD };
  }

  /** Registers, waits for the job, and returns the stored request (not yet verified). */
  async function request(name: string) {
    const b = body(name);
    const res = await t.http().post('/api/auth/register/institute').send(b).expect(202);
    expect(res.body).toEqual({ status: 'pending_validation' });
    await t.idle();
    const row = await t.dataSource.query<Array<{ id: string; requesterId: string }>>(
      'SELECT r.id, r.requesterId FROM institute_requests r INNER JOIN users u ON u.id = r.requesterId WHERE u.email = ?',
      [b.email],
    );
    expect(row).toHaveLength(1);
    return { ...b, id: row[0].id, userId: row[0].requesterId };
  }

  async function verify(email: string) {
    const mail = await t.mail.waitFor({ to: email, subject: /Confirm your email/ });
    const token = linkIn(mail, `${TEST_APP_URL}/verify-email`).searchParams.get('token');
    await t.http().post('/api/auth/verify-email').send({ token }).expect(204);
  }

  const queue = async () =>
    (await t.http().get('/api/admin/institute-requests').set(as(staff.token)).expect(200)).body.items as Array<
      { id: string; similar: unknown[] } & Record<string, unknown>
    >;

  it('answers 202 whether or not the address has an account; the request waits for the address to be verified', async () => {
    const existing = await signedIn(t);
    const res = await t
      .http()
      .post('/api/auth/register/institute')
      .send(body(`Collège ${tag()}`, existing.email))
      .expect(202);
    expect(res.body).toEqual({ status: 'pending_validation' });
    await t.idle();
    await t.mail.waitFor({ to: existing.email });
    expect(await t.dataSource.getRepository(InstituteRequest).countBy({ requesterId: existing.id })).toBe(0);

    const r = await request(`Collège ${tag()}`);
    expect((await queue()).map((q) => q.id)).not.toContain(r.id);
    const early = await t.http().post(`/api/admin/institute-requests/${r.id}/approve`).set(as(staff.token)).send({}).expect(409);
    expect(early.body.code).toBe('REQUESTER_NOT_VERIFIED');
    await t.http().post('/api/auth/login').send({ email: r.email, password: STRONG_PASSWORD }).expect(403);

    await verify(r.email);
    const listed = (await queue()).find((q) => q.id === r.id);
    expect(listed).toMatchObject({ status: 'pending', name: r.institute.name, city: 'Lyon', requester: { id: r.userId, email: r.email, emailVerified: true } });
    await t
      .http()
      .post('/api/auth/register/institute')
      .send({ ...body('x'), institute: { name: '' } })
      .expect(400);
  });

  it('staff approve: the institute is created with the requester as its active manager, who is emailed', async () => {
    const r = await request(`Lycée ${tag()} Marie Curie`);
    await verify(r.email);
    const user = await signedIn(t);
    await t.http().get('/api/admin/institute-requests').set(as(user.token)).expect(403);
    await t.http().post(`/api/admin/institute-requests/${r.id}/approve`).set(as(user.token)).send({}).expect(403);

    const approved = await t.http().post(`/api/admin/institute-requests/${r.id}/approve`).set(as(staff.token)).send({}).expect(200);
    expect(approved.body).toMatchObject({ id: r.id, status: 'approved', instituteId: expect.any(String) });
    const mail = await t.mail.waitFor({ to: r.email, subject: /is registered on Oktonine/ });
    expect(mail.text).toContain(r.institute.name);

    const session = await login(t, r.email, STRONG_PASSWORD);
    const me = await t.http().get('/api/me').set(as(session.accessToken)).expect(200);
    expect(me.body.memberships).toEqual([expect.objectContaining({ role: 'manager', status: 'active' })]);
    const institute = await t.http().get(`/api/institutes/${approved.body.instituteId}`).set(as(session.accessToken)).expect(200);
    expect(institute.body).toMatchObject({ name: r.institute.name, city: 'Lyon', country: 'France', status: 'active' });

    const again = await t.http().post(`/api/admin/institute-requests/${r.id}/approve`).set(as(staff.token)).send({}).expect(409);
    expect(again.body.code).toBe('NOT_PENDING');
    const unknown = await t.http().post('/api/admin/institute-requests/00000000-0000-4000-8000-000000000000/reject').set(as(staff.token)).send({}).expect(404);
    expect(unknown.body.code).toBe('INSTITUTE_REQUEST_NOT_FOUND');
  });

  it('the queue shows existing institutes with a close folded name; staff fold the request into one: the requester joins it as a pending teacher', async () => {
    const t1 = tag();
    const existing = await t
      .http()
      .post('/api/institutes')
      .set(as(staff.token))
      .send({ name: `Lycée Jean Moulin ${t1}`, city: 'Lyon' })
      .expect(201);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, existing.body.id, MembershipRole.Manager);
    const r = await request(`lycee jean-moulin ${t1}`);
    await verify(r.email);

    const listed = (await queue()).find((q) => q.id === r.id)!;
    expect(listed.similar[0]).toMatchObject({ id: existing.body.id, name: `Lycée Jean Moulin ${t1}`, distance: expect.any(Number) });
    // Approving would create a duplicate: staff are told to fold instead.
    const dup = await t.http().post(`/api/admin/institute-requests/${r.id}/approve`).set(as(staff.token)).send({}).expect(409);
    expect(dup.body).toMatchObject({ code: 'INSTITUTE_EXISTS', details: { existingId: existing.body.id } });

    const folded = await t
      .http()
      .post(`/api/admin/institute-requests/${r.id}/approve`)
      .set(as(staff.token))
      .send({ foldIntoInstituteId: existing.body.id })
      .expect(200);
    expect(folded.body).toMatchObject({ status: 'folded', instituteId: existing.body.id });
    expect(await t.dataSource.getRepository(Membership).findOneBy({ userId: r.userId, instituteId: existing.body.id })).toMatchObject({
      role: 'teacher',
      status: 'pending',
    });
    await t.mail.waitFor({ to: r.email, subject: /already on Oktonine/ });
    await t.mail.waitFor({ to: manager.email, subject: /Rosa Requester/ });
    const inbox = await t.http().get('/api/notifications').set(as(manager.token)).expect(200);
    expect(inbox.body.items.some((n: { data: { userId?: string } }) => n.data.userId === r.userId)).toBe(true);
  });

  it('staff reject with a reason, which the requester is emailed', async () => {
    const r = await request(`École ${tag()}`);
    await verify(r.email);
    const res = await t
      .http()
      .post(`/api/admin/institute-requests/${r.id}/reject`)
      .set(as(staff.token))
      .send({ reason: 'We could not confirm this school exists.' })
      .expect(200);
    expect(res.body).toMatchObject({ status: 'rejected', reason: 'We could not confirm this school exists.' });
    const mail = await t.mail.waitFor({ to: r.email, subject: /was declined/ });
    expect(mail.text).toContain('We could not confirm this school exists.');
    const rejected = await t.http().get('/api/admin/institute-requests').query({ status: 'rejected' }).set(as(staff.token)).expect(200);
    expect(rejected.body.items.map((q: { id: string }) => q.id)).toContain(r.id);
  });
});
