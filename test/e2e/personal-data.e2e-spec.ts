import { randomBytes } from 'node:crypto';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { ACCOUNT_EMAIL_JOB } from '../../src/auth/auth.constants';
import { JobQueue } from '../../src/jobs/job-queue';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { login, seedInstitute, seedMembership, seedUser, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { redisKeysHolding } from '../support/infra';
import { createTestApp, TestApp } from '../support/test-app';
import { xlsx } from '../support/xlsx';

type Signed = Awaited<ReturnType<typeof signedIn>>;

/** Names no other row of the database can hold by chance. */
function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4)
    .toString('hex')
    .replace(/\d/g, (d) => 'ghijklmnop'[Number(d)])}`;
}

describe('Personal data: export and erasure', () => {
  let t: TestApp;
  let staff: Signed;
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Every text column of every table holding one of `needles` (case-insensitive): `table.column` names. */
  async function tablesHolding(needles: string[]): Promise<string[]> {
    const columns = await t.dataSource.query<Array<{ t: string; c: string }>>(
      `SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM information_schema.COLUMNS
        WHERE TABLE_SCHEMA = DATABASE() AND DATA_TYPE IN ('char', 'varchar', 'text', 'mediumtext', 'longtext', 'json')`,
    );
    const found: string[] = [];
    for (const { t: table, c: column } of columns) {
      const rows = await t.dataSource.query<Array<{ n: number | string }>>(
        `SELECT COUNT(*) AS n FROM \`${table}\` WHERE ${needles.map(() => `LOWER(CAST(\`${column}\` AS CHAR)) LIKE ?`).join(' OR ')}`,
        needles.map((n) => `%${n.toLowerCase()}%`),
      );
      if (Number(rows[0].n) > 0) found.push(`${table}.${column}`);
    }
    return found;
  }

  /** A student created by an import (names in the import rows), signed in once, with a second manager in the institute. */
  async function importedStudent() {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    const coManager = await seedUser(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    await seedMembership(t, coManager.id, institute.id, MembershipRole.Manager);
    const firstName = uniqueName('Wil');
    const lastName = uniqueName('Quax');
    const email = uniqueEmail('erasable');
    const file = await xlsx([[firstName, lastName, email, STRONG_PASSWORD, '3B', 'Sciences']]);
    await t.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).attach('file', file, 'students.xlsx').expect(202);
    await t.idle();
    const session = await login(t, email, STRONG_PASSWORD);
    return { institute, manager, firstName, lastName, email, id: session.user.id, token: session.accessToken };
  }

  it('GET /api/me/export: one JSON document of everything held about the caller', async () => {
    const p = await importedStudent();
    // An entry about the person made by someone else: it records that person's network address.
    await t.http().patch(`/api/institutes/${p.institute.id}/members/${p.id}`).set(as(p.manager.token)).send({ group: '3C' }).expect(200);
    const res = await t.http().get('/api/me/export').set(as(p.token)).expect(200);
    expect(res.headers['content-disposition']).toContain('attachment');
    const doc = res.body;
    expect(doc.profile).toMatchObject({ id: p.id, email: p.email, firstName: p.firstName, lastName: p.lastName });
    expect(doc.memberships).toEqual([expect.objectContaining({ institute: { id: p.institute.id, name: p.institute.name }, role: 'student', group: '3C' })]);
    expect(doc.affiliation).toBeNull();
    expect(doc.importRows).toEqual([expect.objectContaining({ firstName: p.firstName, lastName: p.lastName, email: p.email, outcome: 'created' })]);
    expect(doc.audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['auth.login_ok']));
    // The person's own address on their entries; never the manager's on the entries the manager made.
    type Entry = { action: string; byThePerson: boolean; ip: string | null };
    expect(doc.audit.find((a: Entry) => a.action === 'auth.login_ok').ip).toEqual(expect.any(String));
    const byManager = doc.audit.filter((a: Entry) => !a.byThePerson);
    expect(byManager.map((a: Entry) => a.action)).toContain('member.updated');
    expect(byManager.every((a: Entry) => a.ip === null)).toBe(true);
    expect(doc.mail.map((m: { template: string }) => m.template)).toContain('import-added');
    expect(doc.sessions.length).toBeGreaterThan(0);
    expect(Array.isArray(doc.notifications)).toBe(true);
    // Never a secret.
    expect(JSON.stringify(doc)).not.toMatch(/passwordHash|tokenHash|\$argon2/);
    await t.http().get('/api/me/export').expect(401);
  });

  it('staff erase a person: no personal data left in any table, the audit trail keeps ids and actions, the email is free again', async () => {
    const student = await importedStudent();
    // A professional: a pending company affiliation, staff notified (in-app and by email) with the name.
    const pro = { firstName: uniqueName('Pen'), lastName: uniqueName('Zyx'), email: uniqueEmail('pro.erasable') };
    await t
      .http()
      .post('/api/auth/register/professional')
      .send({ ...pro, password: STRONG_PASSWORD, companyName: `Company ${uniqueName('Co')}` })
      .expect(202);
    await t.idle();
    const proId = (await t.dataSource.query<Array<{ id: string }>>('SELECT id FROM users WHERE email = ?', [pro.email]))[0].id;
    const needles = [student.email, student.firstName, student.lastName, pro.email, pro.firstName, pro.lastName];
    expect((await tablesHolding(needles)).length).toBeGreaterThan(5);

    // A job naming the person that already ran (Bull keeps finished jobs in Redis, with the requester's address).
    await t.http().post('/api/auth/password/forgot').send({ email: student.email }).expect(202);
    await t.idle();
    expect(await redisKeysHolding(t.env.QUEUE_PREFIX, [student.id])).not.toEqual([]);

    // A job naming the person, still queued when the erasure happens.
    const jobs = t.get(JobQueue);
    await jobs.enqueue(ACCOUNT_EMAIL_JOB, { requestId: 'x', userId: student.id, kind: 'reset-password', ip: null }, { delayMs: 3_600_000 });
    const delayed = async () => (await jobs.counts()).find((c) => c.queue === ACCOUNT_EMAIL_JOB)?.delayed ?? 0;
    expect(await delayed()).toBe(1);

    await t.http().delete(`/api/admin/users/${student.id}`).set(as(student.manager.token)).expect(403);
    await t.http().delete(`/api/admin/users/${student.id}`).set(as(staff.token)).expect(204);
    await t.http().delete(`/api/admin/users/${proId}`).set(as(staff.token)).expect(204);

    expect(await tablesHolding(needles)).toEqual([]);
    expect(await delayed()).toBe(0);
    expect(await redisKeysHolding(t.env.QUEUE_PREFIX, [student.id, student.email, proId, pro.email])).toEqual([]);
    await t.http().get('/api/me').set(as(student.token)).expect(401);
    const audit = await t.dataSource.getRepository(AuditEntry).findBy({ targetId: student.id });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['auth.login_ok', 'user.erased']));
    // The person's own address and details are gone; the erasure's entry records the staff member's request.
    expect(audit.filter((a) => a.action !== 'user.erased').every((a) => a.ip === null && a.details === null)).toBe(true);
    expect(audit.find((a) => a.action === 'user.erased')?.actorId).toBe(staff.id);

    // The address may register again.
    await t.http().post('/api/users').set(as(staff.token)).send({ firstName: 'New', lastName: 'Person', email: student.email }).expect(201);
    await t.http().delete(`/api/admin/users/${student.id}`).set(as(staff.token)).expect(404);
  });

  it('refuses to erase the last manager of an institute or the last staff account, and changes nothing', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t, { firstName: 'Last', lastName: 'Manager' });
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const res = await t.http().delete(`/api/admin/users/${manager.id}`).set(as(staff.token)).expect(409);
    expect(res.body.code).toBe('LAST_MANAGER');
    await t.http().get('/api/me').set(as(manager.token)).expect(200);

    const self = await t.http().delete(`/api/admin/users/${staff.id}`).set(as(staff.token)).expect(409);
    expect(self.body.code).toBe('LAST_STAFF');
    await t.http().get('/api/me').set(as(staff.token)).expect(200);
  });
});
