import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { LOG_DESTINATION } from '../../src/common/log-destination';
import { MailLogEntry, MailStatus } from '../../src/mail/entities/mail-log-entry.entity';
import { MailDeliveryLog } from '../../src/mail/mail-delivery-log';
import { MailService } from '../../src/mail/mail.service';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, seedUser, signedIn, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('Mail log (GET /api/admin/mail, retry, the institute view)', () => {
  let t: TestApp;
  let staff: Awaited<ReturnType<typeof signedIn>>;
  let captured = '';

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => (captured += chunk.toString()));
    LOG_DESTINATION.stream = stream;
    t = await createTestApp({ env: { LOG_LEVEL: 'info' } });
    staff = await signedIn(t, { isStaff: true });
  });
  afterAll(async () => {
    await t?.close();
    LOG_DESTINATION.stream = undefined;
  });

  /** A mail_log row written directly: the fixture, not the feature. */
  const logEntry = (fields: Partial<MailLogEntry>) =>
    t.dataSource
      .getRepository(MailLogEntry)
      .save({ id: randomUUID(), template: 'test-message', context: { name: 'Ops' }, dedupeKey: null, userId: null, ...fields });

  it('lists every email newest first with its status and what it is about, never its content; filters by address, status and template', async () => {
    const email = uniqueEmail('created');
    // An account created without a password: a set-password mail, queued for the account (its link minted when sent).
    const created = await t.http().post('/api/users').set(bearer(staff.token)).send({ firstName: 'Set', lastName: 'Password', email });
    expect(created.status).toBe(201);
    await t.mail.waitFor({ to: email });
    await t.idle();
    const failed = await logEntry({ recipient: email, status: MailStatus.Failed, attempts: 5, lastError: 'connect ECONNREFUSED' });

    const res = await t.http().get('/api/admin/mail').query({ to: email.toUpperCase() }).set(bearer(staff.token));
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: MailLogEntry) => m.id)[0]).toBe(failed.id);
    expect(res.body.items).toHaveLength(2);
    const sent = res.body.items[1];
    expect(sent).toMatchObject({
      to: email,
      userId: created.body.id,
      template: 'set-password',
      // Token mails are composed from the account when sent: the log keeps the locale used.
      locale: 'en',
      status: 'sent',
      attempts: 1,
      lastError: null,
      aboutType: 'user',
      aboutId: created.body.id,
    });
    expect(sent.sentAt).toEqual(expect.any(String));
    expect(Object.keys(sent)).not.toContain('context');
    // The stored row holds no link and no token: they are minted when the mail is sent.
    expect(JSON.stringify(await t.dataSource.getRepository(MailLogEntry).findOneBy({ id: sent.id }))).not.toMatch(/token|reset-password\?/);

    const onlyFailed = await t.http().get('/api/admin/mail').query({ to: email, status: 'failed' }).set(bearer(staff.token));
    expect(onlyFailed.body.items.map((m: MailLogEntry) => m.id)).toEqual([failed.id]);
    const byTemplate = await t.http().get('/api/admin/mail').query({ to: email, template: 'set-password' }).set(bearer(staff.token));
    expect(byTemplate.body.items.map((m: MailLogEntry) => m.id)).toEqual([sent.id]);

    const first = await t.http().get('/api/admin/mail').query({ to: email, limit: 1 }).set(bearer(staff.token));
    expect(first.body.items.map((m: MailLogEntry) => m.id)).toEqual([failed.id]);
    const second = await t.http().get('/api/admin/mail').query({ to: email, limit: 1, cursor: first.body.nextCursor }).set(bearer(staff.token));
    expect(second.body.items.map((m: MailLogEntry) => m.id)).toEqual([sent.id]);
    expect(second.body.nextCursor).toBeNull();

    expect((await t.http().get('/api/admin/mail').query({ status: 'lost' }).set(bearer(staff.token))).status).toBe(400);
  });

  it('is for staff only', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    expect((await t.http().get('/api/admin/mail')).status).toBe(401);
    expect((await t.http().get('/api/admin/mail').set(bearer(manager.token))).status).toBe(403);
    const failed = await logEntry({ recipient: uniqueEmail(), status: MailStatus.Failed });
    expect((await t.http().post(`/api/admin/mail/${failed.id}/retry`).set(bearer(manager.token))).status).toBe(403);
    expect((await t.dataSource.getRepository(MailLogEntry).findOneBy({ id: failed.id }))!.status).toBe(MailStatus.Failed);
  });

  it('sends a failed mail again when staff retry it, and audits the retry', async () => {
    const to = uniqueEmail('retry');
    const failed = await logEntry({ recipient: to, status: MailStatus.Failed, attempts: 5, lastError: 'connect ECONNREFUSED' });
    const res = await t.http().post(`/api/admin/mail/${failed.id}/retry`).set(bearer(staff.token));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: failed.id, status: 'queued' });
    const mail = await t.mail.waitFor({ to });
    expect(mail.subject).toBe('Oktonine: test message');
    const row = await until(
      () => t.dataSource.getRepository(MailLogEntry).findOneBy({ id: failed.id }),
      (r) => r?.status === MailStatus.Sent,
      'the retried mail is sent',
    );
    expect(row).toMatchObject({ attempts: 6, lastError: null });
    const audit = await t.dataSource.getRepository(AuditEntry).findOneBy({ action: 'mail.retried', targetId: failed.id });
    expect(audit).toMatchObject({ actorId: staff.id, targetType: 'mail' });

    const again = await t.http().post(`/api/admin/mail/${failed.id}/retry`).set(bearer(staff.token));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('MAIL_NOT_FAILED');
    expect((await t.http().post(`/api/admin/mail/${randomUUID()}/retry`).set(bearer(staff.token))).body.code).toBe('MAIL_NOT_FOUND');
    expect((await t.http().post('/api/admin/mail/not-an-id/retry').set(bearer(staff.token))).status).toBe(404);
  });

  it('sends a retried mail again even while the job that last handled it is still kept in the queue', async () => {
    const to = uniqueEmail('kept-job');
    const entry = await logEntry({ recipient: to, status: MailStatus.Queued });
    await t.get(MailService).dispatch([entry.id]);
    await t.mail.waitFor({ to });
    await t.idle();
    // The job completed and Bull keeps it under the mail's id; the mail is then marked failed
    // (as a delivery that the recipient's server later bounced would be).
    await t.dataSource.getRepository(MailLogEntry).update({ id: entry.id }, { status: MailStatus.Failed });
    expect((await t.http().post(`/api/admin/mail/${entry.id}/retry`).set(bearer(staff.token))).status).toBe(202);
    await t.idle();
    expect(t.mail.find({ to })).toHaveLength(2);
    expect((await t.dataSource.getRepository(MailLogEntry).findOneBy({ id: entry.id }))!.status).toBe(MailStatus.Sent);
  });

  it("shows a manager the mails of their institute's members about the institute, and nothing of another institute", async () => {
    const [mine, other] = [await seedInstitute(t), await seedInstitute(t)];
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, mine.id, MembershipRole.Manager);
    const student = await seedUser(t);
    await seedMembership(t, student.id, mine.id, MembershipRole.Student);
    await seedMembership(t, student.id, other.id, MembershipRole.Student);
    const outsider = await seedUser(t);
    const welcome = await logEntry({ recipient: student.email, userId: student.id, template: 'import-welcome', instituteId: mine.id, aboutType: 'import' });
    await logEntry({ recipient: student.email, userId: student.id, template: 'import-welcome', instituteId: other.id, aboutType: 'import' });
    await logEntry({ recipient: outsider.email, userId: outsider.id, template: 'import-welcome', instituteId: mine.id, aboutType: 'import' });

    const res = await t.http().get(`/api/institutes/${mine.id}/mail`).set(bearer(manager.token));
    expect(res.status).toBe(200);
    expect(res.body.items.map((m: MailLogEntry) => m.id)).toEqual([welcome.id]);
    const byAddress = await t.http().get(`/api/institutes/${mine.id}/mail`).query({ to: student.email }).set(bearer(manager.token));
    expect(byAddress.body.items.map((m: MailLogEntry) => m.id)).toEqual([welcome.id]);

    expect((await t.http().get(`/api/institutes/${other.id}/mail`).set(bearer(manager.token))).status).toBe(404);
    const teacher = await signedIn(t);
    await seedMembership(t, teacher.id, mine.id, MembershipRole.Teacher);
    expect((await t.http().get(`/api/institutes/${mine.id}/mail`).set(bearer(teacher.token))).status).toBe(403);
  });

  it('shows a manager the set-password mail of a member they created, sent by the real flow', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const email = uniqueEmail('by-hand');
    const created = await t
      .http()
      .post(`/api/institutes/${institute.id}/members`)
      .set(bearer(manager.token))
      .send({ role: 'student', user: { firstName: 'By', lastName: 'Hand', email } });
    expect(created.status).toBe(201);
    await t.mail.waitFor({ to: email });
    await t.idle();
    const res = await t.http().get(`/api/institutes/${institute.id}/mail`).set(bearer(manager.token));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([expect.objectContaining({ to: email, template: 'set-password', status: 'sent' })]);
  });

  it('logs deliveries one line per batch of mails, not one per mail', async () => {
    // Earlier tests' deliveries are written out first: only this batch's lines are read.
    t.get(MailDeliveryLog).flush();
    const start = captured.length;
    const recipients = Array.from({ length: 20 }, () => uniqueEmail('batch'));
    await t.get(MailService).sendMany(recipients.map((to) => ({ to, template: 'test-message', context: { name: 'Batch' } })));
    for (const to of recipients) await t.mail.waitFor({ to });
    await t.idle();
    const batchLines = () =>
      captured
        .slice(start)
        .split('\n')
        .filter((l) => l.includes('mail(s) sent'))
        .map((l) => JSON.parse(l) as { templates: Record<string, { sent: number }> })
        .filter((l) => l.templates['test-message']);
    const lines = await until(
      async () => batchLines(),
      (found) => found.reduce((n, l) => n + l.templates['test-message'].sent, 0) >= 20,
      'delivery lines counting the 20 mails',
    );
    expect(lines.reduce((n, l) => n + l.templates['test-message'].sent, 0)).toBe(20);
    // One line per burst (a few under load), never one per mail.
    expect(lines.length).toBeLessThan(10);
    for (const to of recipients) expect(captured).not.toContain(to);
  });

  it('serves no development page when APP_URL is a frontend and mail goes to SMTP', async () => {
    for (const path of ['/verify-email?token=x', '/reset-password?token=x', '/dev/mail']) {
      expect((await t.http().get(path)).status).toBe(404);
    }
  });

  it('has no /metrics without METRICS_TOKEN', async () => {
    const res = await t.http().get('/metrics').set(bearer(staff.token));
    expect(res.status).toBe(404);
    expect(res.text).not.toContain('process_cpu');
  });
});
