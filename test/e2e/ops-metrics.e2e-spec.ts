import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailService } from '../../src/mail/mail.service';
import { MAIL_SEND_JOB } from '../../src/mail/mail.types';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { spawnEntry } from '../support/spawn-app';
import { seedInstitute, seedMembership, seedUser, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of one series of the Prometheus text, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const found = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (found) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('Prometheus metrics (/metrics)', () => {
  let t: TestApp;
  const scrape = async () => {
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    return res.text;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { METRICS_TOKEN } });
  });
  afterAll(() => t?.close());

  it('is refused without the metrics token, with a wrong one, and with a staff access token', async () => {
    const staff = await signedIn(t, { isStaff: true });
    for (const auth of [undefined, 'Bearer wrong-token-wrong-token-wrong', `Bearer ${staff.token}`, METRICS_TOKEN]) {
      const req = t.http().get('/metrics');
      if (auth) req.set('Authorization', auth);
      const res = await req;
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      expect(res.text).not.toContain('http_request_duration_seconds');
    }
  });

  it('serves Prometheus text with process metrics, outside /api', async () => {
    const res = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(res.text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(res.text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
    expect((await t.http().get('/api/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
  });

  it('counts HTTP requests by route template, method and status: never an id in a label', async () => {
    const staff = await signedIn(t, { isStaff: true });
    const other = await seedUser(t);
    expect((await t.http().get(`/api/users/${other.id}`).set('Authorization', `Bearer ${staff.token}`)).status).toBe(200);
    expect((await t.http().get(`/api/users/${other.id}`)).status).toBe(401);
    expect((await t.http().get(`/no/such/${other.id}`)).status).toBe(404);
    const text = await scrape();
    const route = { method: 'GET', route: '/api/users/:userId' };
    expect(sample(text, 'http_request_duration_seconds_count', { ...route, status_code: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count', { ...route, status_code: '401' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: 'unmatched', status_code: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { ...route, status_code: '200', le: '+Inf' })).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(other.id);
  });

  it('counts logins that succeeded, failed and were locked', async () => {
    const before = await scrape();
    const user = await seedUser(t);
    const login = (password: string) => t.http().post('/api/auth/login').send({ email: user.email, password });
    expect((await login(STRONG_PASSWORD)).status).toBe(200);
    // Ten failures lock the account; the eleventh attempt meets the lock.
    for (let i = 0; i < 10; i++) expect((await login('wrong password here')).status).toBe(401);
    expect((await login(STRONG_PASSWORD)).status).toBe(401);
    const after = await scrape();
    const delta = (outcome: string) => sample(after, 'oktonine_logins_total', { outcome })! - sample(before, 'oktonine_logins_total', { outcome })!;
    expect(delta('succeeded')).toBe(1);
    expect(delta('failed')).toBe(10);
    expect(delta('locked')).toBe(1);
  });

  it('counts import rows by outcome and mails sent by template, and reads queue counts from Redis', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const member = await seedUser(t);
    await seedMembership(t, member.id, institute.id, MembershipRole.Student);
    const csv = ['First name,Last name,Email,Password', `Ann,Lee,${uniqueEmail('new')},`, `Bob,Ray,${member.email},`, 'Bad,Row,not-an-email,'].join('\n');
    const res = await t
      .http()
      .post(`/api/institutes/${institute.id}/imports`)
      .set('Authorization', `Bearer ${manager.token}`)
      .attach('file', Buffer.from(csv), 'students.csv');
    expect(res.status).toBe(202);
    await until(
      async () => (await t.http().get(`/api/institutes/${institute.id}/imports/${res.body.id}`).set('Authorization', `Bearer ${manager.token}`)).body.status,
      (s) => s === 'completed',
      'import completed',
    );
    await t.idle();
    const text = await scrape();
    expect(sample(text, 'oktonine_import_rows_total', { outcome: 'created' })).toBe(1);
    expect(sample(text, 'oktonine_import_rows_total', { outcome: 'skipped' })).toBe(1);
    expect(sample(text, 'oktonine_import_rows_total', { outcome: 'failed' })).toBe(1);
    expect(sample(text, 'oktonine_import_rows_total', { outcome: 'attached' })).toBe(0);
    // The new student's welcome mail and the uploader's summary.
    expect(sample(text, 'oktonine_mails_sent_total', { template: 'import-welcome' })).toBe(1);
    expect(sample(text, 'oktonine_mails_sent_total', { template: 'import-summary' })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      expect(sample(text, 'oktonine_queue_jobs', { queue: 'imports.chunk', state })).toBe(0);
      expect(sample(text, 'oktonine_queue_jobs', { queue: 'mail.send', state })).toBe(0);
    }
  });

  it('reports jobs waiting and delayed as Redis holds them, and mails that failed for good by template', async () => {
    const queue = t.app.get<Queue>(getQueueToken(MAIL_SEND_JOB), { strict: false });
    // Paused here only (this process's worker): a job added now waits.
    await queue.pause(true);
    const waiting = await queue.add({ mailId: randomUUID() });
    const delayed = await queue.add({ mailId: randomUUID() }, { delay: 3_600_000 });
    try {
      const text = await scrape();
      expect(sample(text, 'oktonine_queue_jobs', { queue: MAIL_SEND_JOB, state: 'waiting' })).toBe(1);
      expect(sample(text, 'oktonine_queue_jobs', { queue: MAIL_SEND_JOB, state: 'delayed' })).toBe(1);
    } finally {
      await delayed.remove();
      await queue.resume(true);
    }
    await t.idle();
    expect(await waiting.isCompleted()).toBe(true);

    const before = sample(await scrape(), 'oktonine_mails_failed_total', { template: 'no-such-template' }) ?? 0;
    await t.get(MailService).send({ to: uniqueEmail('undeliverable'), template: 'no-such-template', context: {} });
    await t.idle(60000);
    expect(sample(await scrape(), 'oktonine_mails_failed_total', { template: 'no-such-template' })).toBe(before + 1);
  });

  it('is served by a worker process on METRICS_PORT, with the same token', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const dir = mkdtempSync(join(tmpdir(), 'okt-worker-metrics-'));
    const worker = spawnEntry('worker.ts', { ...t.env, METRICS_PORT: String(port), LOG_LEVEL: 'info' }, dir);
    try {
      await until(
        async () => worker.output(),
        (out) => out.includes(`Metrics on port ${port}`),
        'the worker listening for scrapes',
        // ts-node compiles the worker first: slow on a busy machine.
        110_000,
      );
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { Authorization: 'Bearer not-the-metrics-token' } })).status).toBe(401);
      const res = await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
      expect(sample(text, 'oktonine_import_rows_total', { outcome: 'created' })).toBe(0);
      expect(sample(text, 'oktonine_queue_jobs', { queue: 'mail.send', state: 'failed' })).toBeDefined();
      expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exit;
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
