import { randomBytes } from 'node:crypto';
import { User } from '../../src/users/entities/user.entity';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, seedUser, signedIn, STRONG_PASSWORD } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Emails compare case-insensitively and accent-sensitively: `josé@…` and
 * `jose@…` are two mailboxes (MariaDB's default collation made them one).
 */
describe('Emails are distinct when their accents differ', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });
  const domain = () => `coll-${randomBytes(3).toString('hex')}.test`;

  async function finished(instituteId: string, token: string, id: string) {
    const deadline = Date.now() + 30000;
    for (;;) {
      const res = await t.http().get(`/api/institutes/${instituteId}/imports/${id}`).set(as(token)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('the column compares bytes: the database itself keeps josé@ and jose@ apart', async () => {
    const d = domain();
    await seedUser(t, { email: `jose@${d}` });
    await expect(seedUser(t, { email: `josé@${d}` })).resolves.toBeDefined();
    const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE email = ?', [`jose@${d}`]);
    expect(Number(row.n)).toBe(1);
  });

  it('an import of accent variants creates every row, and its dry run said so', async () => {
    const d = domain();
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const emails = [`jose@${d}`, `josé@${d}`, `studenta@${d}`, `studénta@${d}`];
    // The same address typed decomposed (e + U+0301) and in capitals is a duplicate, not a fifth person.
    const csv = ['First name,Last name,Email', ...emails.map((e, i) => `Student${i},Variant,${e}`), `Again,Decomposed,${`JOSÉ@${d}`.normalize('NFD')}`].join(
      '\n',
    );
    const file = Buffer.from(csv, 'utf8');

    const dry = await t
      .http()
      .post(`/api/institutes/${institute.id}/imports`)
      .query({ dryRun: 'true' })
      .set(as(manager.token))
      .attach('file', file, 'v.csv')
      .expect(202);
    const dryDone = await finished(institute.id, manager.token, dry.body.id);
    expect(dryDone).toMatchObject({ status: 'completed', total: 5, created: 4, attached: 0, skipped: 0, failed: 1 });
    expect(dryDone.errors).toEqual([{ row: 6, field: 'email', message: expect.stringContaining('duplicate of row 3') }]);

    const real = await t.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).attach('file', file, 'v.csv').expect(202);
    const done = await finished(institute.id, manager.token, real.body.id);
    expect(done).toMatchObject({ status: 'completed', total: 5, created: 4, attached: 0, skipped: 0, failed: 1 });
    const stored = await t.dataSource.getRepository(User).find({ where: emails.map((email) => ({ email })) });
    expect(stored.map((u) => u.email).sort()).toEqual([...emails].sort());
  });

  it('signing in as studénta@ with studenta@’s password fails; with its own it works', async () => {
    const d = domain();
    await seedUser(t, { email: `studenta@${d}`, password: STRONG_PASSWORD });
    await t
      .http()
      .post('/api/auth/login')
      .send({ email: `studénta@${d}`, password: STRONG_PASSWORD })
      .expect(401);
    await seedUser(t, { email: `studénta@${d}`, password: 'another strong passphrase' });
    const ok = await t
      .http()
      .post('/api/auth/login')
      .send({ email: `STUDÉNTA@${d}`, password: 'another strong passphrase' })
      .expect(200);
    expect(ok.body.user.email).toBe(`studénta@${d}`);
    // The same address typed decomposed signs in too.
    await t
      .http()
      .post('/api/auth/login')
      .send({ email: `studénta@${d}`.normalize('NFD'), password: 'another strong passphrase' })
      .expect(200);
  });

  it('POST /api/users creates josé@ next to jose@, and refuses JOSÉ@ as taken', async () => {
    const d = domain();
    const staff = await signedIn(t, { isStaff: true });
    await t
      .http()
      .post('/api/users')
      .set(as(staff.token))
      .send({ firstName: 'Jose', lastName: 'A', email: `jose@${d}` })
      .expect(201);
    const accented = await t
      .http()
      .post('/api/users')
      .set(as(staff.token))
      .send({ firstName: 'José', lastName: 'B', email: `josé@${d}` })
      .expect(201);
    expect(accented.body.email).toBe(`josé@${d}`);
    const taken = await t
      .http()
      .post('/api/users')
      .set(as(staff.token))
      .send({ firstName: 'José', lastName: 'C', email: `JOSÉ@${d}` })
      .expect(409);
    expect(taken.body.code).toBe('EMAIL_TAKEN');
  });

  it('the member search by email prefix tells the variants apart', async () => {
    const d = domain();
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const plain = await seedUser(t, { email: `zoe@${d}` });
    const accented = await seedUser(t, { email: `zoé@${d}` });
    await seedMembership(t, plain.id, institute.id, MembershipRole.Student);
    await seedMembership(t, accented.id, institute.id, MembershipRole.Student);
    const res = await t.http().get(`/api/institutes/${institute.id}/members`).query({ search: 'ZOÉ@' }).set(as(manager.token)).expect(200);
    expect(res.body.items.map((m: { email: string }) => m.email)).toEqual([`zoé@${d}`]);
  });
});
