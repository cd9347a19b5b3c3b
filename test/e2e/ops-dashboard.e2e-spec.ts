import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { JobQueue } from '../../src/jobs/job-queue';
import { MailLogEntry } from '../../src/mail/entities/mail-log-entry.entity';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { seedInstitute, seedMembership, signedIn, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The `name=value` of the session cookie a response set, and the whole header. */
function sessionCookie(res: { headers: Record<string, unknown> }): { pair: string; header: string } {
  const header = ([] as string[]).concat((res.headers['set-cookie'] as string[] | undefined) ?? []).find((c) => c.startsWith('okt_dashboard='));
  if (!header) throw new Error('no okt_dashboard cookie set');
  return { pair: header.split(';')[0], header };
}

describe('Queue dashboard (/admin/queues)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { JOB_BACKOFF_MS: '10' } });
  });
  afterAll(() => t?.close());

  const openSession = async (token: string) => {
    const res = await t.http().post('/api/admin/dashboard/session').set(bearer(token));
    expect(res.status).toBe(204);
    return sessionCookie(res);
  };

  it('sends a browser without a session to the sign-in page, and refuses its API calls', async () => {
    const page = await t.http().get('/admin/queues').set('Accept', 'text/html');
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/admin/sign-in?next=%2Fadmin%2Fqueues');
    const api = await t.http().get('/admin/queues/api/queues');
    expect(api.status).toBe(401);
    expect(api.body).toMatchObject({ statusCode: 401, code: 'DASHBOARD_SESSION_REQUIRED' });
    const signIn = await t.http().get('/admin/sign-in');
    expect(signIn.status).toBe(200);
    expect(signIn.text).toContain('<form id="sign-in">');
    expect(signIn.headers['content-security-policy']).toContain("script-src 'self'");
    expect(signIn.headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('opens a session only for staff: a short-lived HttpOnly, SameSite=Strict cookie scoped to /admin', async () => {
    expect((await t.http().post('/api/admin/dashboard/session')).status).toBe(401);
    const institute = await seedInstitute(t);
    const teacher = await signedIn(t);
    await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
    const refused = await t.http().post('/api/admin/dashboard/session').set(bearer(teacher.token));
    expect(refused.status).toBe(403);
    expect(refused.headers['set-cookie']).toBeUndefined();

    const staff = await signedIn(t, { isStaff: true });
    const { header } = await openSession(staff.token);
    expect(header).toMatch(/; Max-Age=900;/);
    expect(header).toMatch(/; Path=\/admin;/);
    expect(header).toMatch(/; HttpOnly/);
    expect(header).toMatch(/; SameSite=Strict/);
    const audit = await t.dataSource.getRepository(AuditEntry).findOneBy({ action: 'ops.dashboard_session_opened', actorId: staff.id });
    expect(audit).not.toBeNull();

    // Closing clears the cookie on the same path.
    const closed = await t.http().delete('/api/admin/dashboard/session');
    expect(closed.status).toBe(204);
    const cleared = String(closed.headers['set-cookie'] ?? '');
    expect(cleared).toMatch(/; Path=\/admin;/);
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/);
  });

  it('shows the Bull Board and every queue to staff with the cookie, never to a bearer token alone', async () => {
    const staff = await signedIn(t, { isStaff: true });
    expect((await t.http().get('/admin/queues/api/queues').set(bearer(staff.token))).status).toBe(401);
    // An access token is not a dashboard session, even in the cookie.
    expect((await t.http().get('/admin/queues/api/queues').set('Cookie', `okt_dashboard=${staff.token}`)).status).toBe(401);

    const { pair } = await openSession(staff.token);
    // Nor is the session an access token.
    expect(
      (
        await t
          .http()
          .get('/api/me')
          .set(bearer(pair.slice('okt_dashboard='.length)))
      ).status,
    ).toBe(401);
    const page = await t.http().get('/admin/queues').set('Cookie', pair).set('Accept', 'text/html');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Oktonine queues');
    const queues = await t.http().get('/admin/queues/api/queues').set('Cookie', pair);
    expect(queues.status).toBe(200);
    const names = (queues.body.queues as Array<{ name: string }>).map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['mail.send', 'imports.chunk', 'auth.account-email']));
  });

  it('ends the session when the account stops being staff or changes its password', async () => {
    const staff = await signedIn(t, { isStaff: true });
    const { pair } = await openSession(staff.token);
    const users = t.dataSource.getRepository(User);
    await users.update({ id: staff.id }, { isStaff: false });
    const demoted = await t.http().get('/admin/queues/api/queues').set('Cookie', pair);
    expect(demoted.status).toBe(403);
    expect(demoted.body).toMatchObject({ code: 'FORBIDDEN' });
    await users.update({ id: staff.id }, { isStaff: true, tokenVersion: () => 'tokenVersion + 1' });
    expect((await t.http().get('/admin/queues/api/queues').set('Cookie', pair)).status).toBe(401);
  });

  it('audits retrying and removing a job; refuses other writes and writes from another site', async () => {
    const staff = await signedIn(t, { isStaff: true });
    const { pair } = await openSession(staff.token);
    // A mail whose template does not exist fails; added without an id (and one attempt), Bull keeps it as failed.
    const mail = await t.dataSource
      .getRepository(MailLogEntry)
      .save({ id: randomUUID(), recipient: uniqueEmail('broken'), template: 'no-such-template', context: null, dedupeKey: null, userId: null });
    const queue = t
      .get(JobQueue)
      .inspectableQueues()
      .find((q) => q.name === 'mail.send') as Queue;
    const job = await queue.add({ mailId: mail.id }, { attempts: 1 });
    await until(
      () => queue.getFailed(),
      (failed) => failed.some((j) => j.id === job.id),
      'the job failed',
    );
    const put = (path: string) => t.http().put(`/admin/queues/api/queues/mail.send/${path}`).set('Cookie', pair);

    const crossSite = await put(`${job.id}/retry`).set('Origin', 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toMatchObject({ code: 'CROSS_SITE_REQUEST' });
    for (const refused of [
      put('empty'),
      put('obliterate'),
      put(`${job.id}/update-data`),
      t.http().post('/admin/queues/api/queues/mail.send/add').set('Cookie', pair),
    ]) {
      expect((await refused).status).toBe(403);
    }
    const audits = t.dataSource.getRepository(AuditEntry);
    expect(await audits.countBy({ actorId: staff.id, targetType: 'queue' })).toBe(0);

    expect((await put(`${job.id}/retry`)).status).toBeLessThan(300);
    // The entry is written once the board has answered.
    const audited = (action: string) =>
      until(
        () => audits.findOneBy({ actorId: staff.id, action }),
        (a) => a !== null,
        `${action} audited`,
      );
    expect((await audited('queue.job_retried'))!.details).toEqual({ queue: 'mail.send', jobId: String(job.id) });
    // Run again, it finds its mail already failed for good and ends: completed.
    await until(
      async () => (await queue.getJob(job.id))?.getState(),
      (state) => state === 'completed',
      'the retried job ran',
    );
    expect((await put(`${job.id}/clean`)).status).toBeLessThan(300);
    expect((await audited('queue.job_removed'))!.details).toEqual({ queue: 'mail.send', jobId: String(job.id) });
    expect(await queue.getJob(job.id)).toBeNull();
  });
});
