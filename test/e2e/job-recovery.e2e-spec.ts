import Bull from 'bull';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistrationKind, RegistrationRequest } from '../../src/onboarding/entities/registration-request.entity';
import { PasswordService } from '../../src/auth/password.service';
import { ImportBatch } from '../../src/imports/entities/import-batch.entity';
import { ImportChunk } from '../../src/imports/entities/import-chunk.entity';
import { JobRecovery } from '../../src/jobs/job-recovery.service';
import { MailLogEntry } from '../../src/mail/entities/mail-log-entry.entity';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn, STRONG_PASSWORD } from '../support/factories';
import { clearRedisPrefix, TEST_REDIS_URL } from '../support/infra';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

const ROWS = 60;
const as = (token: string) => ({ Authorization: `Bearer ${token}` });

function csv(prefix: string): { file: Buffer; emails: string[] } {
  const emails = Array.from({ length: ROWS }, (_, i) => `${prefix}.${i}@recovery.test`);
  const lines = ['First name,Last name,Email', ...emails.map((e, i) => `Student${i},Recovered,${e}`)];
  return { file: Buffer.from(lines.join('\n')), emails };
}

/** A Bull handle on one of the app's queues, to pause it the way an operator (or an outage) would. */
function queueOf(t: TestApp, name: string): Bull.Queue {
  return new Bull(name, TEST_REDIS_URL, { prefix: t.env.QUEUE_PREFIX });
}

/**
 * Redis loses its data mid-import (a restart without persistence, a failover to
 * an empty replica, a flushed key space): the database still knows what is
 * unfinished, and the recovery sweep finishes it without restarting anything.
 */
describe('Imports survive Redis losing its queues', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Quick retries: a job whose keys vanished while it ran fails once ("Missing lock") and is retried;
    // on a loaded machine the default backoff (1 s, 2 s, 4 s…) alone could outlast the waits below.
    t = await createTestApp({ env: { IMPORT_CHUNK_ROWS: '20', JOB_SWEEP_EVERY_MS: '300', JOB_SWEEP_GRACE_MS: '500', JOB_BACKOFF_MS: '50' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('chunks, welcome mails and the summary whose queue keys were deleted are all done, each exactly once', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const { file, emails } = csv(`lost${Date.now().toString(36)}`);
    const chunks = queueOf(t, 'imports.chunk');
    const welcomes = queueOf(t, 'imports.welcome-mails');
    const mails = queueOf(t, 'mail.send');
    try {
      // Phase 1: the chunk jobs wait in Redis (the queue is paused), then Redis loses every key.
      await chunks.pause();
      const accepted = await t.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).attach('file', file, 'lost.csv').expect(202);
      const batchId: string = accepted.body.id;
      expect(await chunks.getPausedCount()).toBe(3);
      await clearRedisPrefix(t.env.QUEUE_PREFIX);

      // Phase 2: the sweep queues the chunks again. Hold the fan-out this time, and lose it too.
      await welcomes.pause();
      await mails.pause();
      const detail = () =>
        t
          .http()
          .get(`/api/institutes/${institute.id}/imports/${batchId}`)
          .set(as(manager.token))
          .then((r) => r.body);
      const done = await until(detail, (b) => b.status === 'completed', 'the batch', 90000);
      expect(done).toMatchObject({ total: ROWS, processed: ROWS, created: ROWS, attached: 0, skipped: 0, failed: 0 });
      await until(
        () => welcomes.getPausedCount(),
        (n) => n === 3,
        'the welcome jobs',
        90000,
      );
      await clearRedisPrefix(t.env.QUEUE_PREFIX);

      // Every student gets one welcome mail, the uploader one summary.
      for (const email of emails) await t.mail.waitFor({ to: email, subject: /welcome|bienvenue/i }, 90000);
      await t.mail.waitFor({ to: manager.email, subject: /import/i }, 90000);
      await t.idle();
      for (const email of emails) expect([email, t.mail.find({ to: email }).length]).toEqual([email, 1]);
      expect(t.mail.find({ to: manager.email })).toHaveLength(1);
      const [users] = await t.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE email LIKE ?', [`%@recovery.test`]);
      expect(Number(users.n)).toBe(ROWS);
    } finally {
      await Promise.all([chunks.close(), welcomes.close(), mails.close()]);
    }
  }, 300_000);
});

describe('A worker starting after Redis lost the queue finishes the import', () => {
  let api: TestApp;
  let worker: TestApp | undefined;

  beforeAll(async () => {
    // The API only queues; no process runs jobs until the worker starts.
    api = await createTestApp({ env: { IMPORT_CHUNK_ROWS: '20', RUN_WORKERS: 'false' } });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('sweeps at start: the batch completes and its students are emailed once', async () => {
    const institute = await seedInstitute(api);
    const manager = await signedIn(api);
    await seedMembership(api, manager.id, institute.id, MembershipRole.Manager);
    const { file, emails } = csv(`start${Date.now().toString(36)}`);
    const accepted = await api.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).attach('file', file, 'start.csv').expect(202);
    await clearRedisPrefix(api.env.QUEUE_PREFIX);

    // A long interval: only the sweep at start can recover the batch within the test.
    worker = await createTestApp({ shareWith: api, env: { RUN_WORKERS: 'true', JOB_SWEEP_GRACE_MS: '0', JOB_SWEEP_EVERY_MS: '3600000' } });
    const status = () => worker!.dataSource.query('SELECT status, created FROM import_batches WHERE id = ?', [accepted.body.id]).then((r) => r[0]);
    expect(await until(status, (b) => b.status === 'completed', 'the batch')).toMatchObject({ created: ROWS });
    for (const email of emails) await api.mail.waitFor({ to: email }, 30000);
    await worker.idle();
    for (const email of emails) expect(api.mail.find({ to: email })).toHaveLength(1);
  });
});

describe('The embedded default (SQLite, in-process jobs) finishes work a restart dropped', () => {
  let t: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okt-recovery-'));
    t = await createTestApp({
      env: { DATABASE_URL: `sqlite:${join(dir, 'db.sqlite')}`, REDIS_URL: undefined, JOB_SWEEP_GRACE_MS: '0', JOB_SWEEP_EVERY_MS: '3600000' },
    });
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a sweep sends the registration, the queued mail and the import chunk no job was left for', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    // What the database holds when the process died with these jobs still in memory.
    const email = `dropped.${Date.now().toString(36)}@recovery.test`;
    await t.dataSource.getRepository(RegistrationRequest).insert({
      id: randomUUID(),
      kind: RegistrationKind.Teacher,
      email,
      firstName: 'Dropped',
      lastName: 'Request',
      passwordHash: await t.get(PasswordService).hash(STRONG_PASSWORD),
      locale: 'en',
      instituteId: institute.id,
    });
    await t.dataSource
      .getRepository(MailLogEntry)
      .insert({ id: randomUUID(), recipient: 'left@recovery.test', template: 'test-message', context: { name: 'Left' } });
    const batchId = randomUUID();
    await t.dataSource
      .getRepository(ImportBatch)
      .insert({ id: batchId, instituteId: institute.id, uploadedById: manager.id, fileName: 'lost.csv', fileSha256: '0'.repeat(64), total: 1, chunkCount: 1 });
    const row = {
      row: 2,
      firstName: 'Chunk',
      lastName: 'Left',
      email: 'chunk.left@recovery.test',
      emailKey: 'chunk.left@recovery.test',
      group: null,
      department: null,
    };
    await t.dataSource.getRepository(ImportChunk).insert({ batchId, chunk: 1, rowCount: 1, rows: [row] });

    expect(await t.get(JobRecovery).sweep()).toMatchObject({ registrations: 1, mail: 1, imports: 1 });
    await t.idle();
    await t.mail.waitFor({ to: email, subject: /Confirm your email/ });
    await t.mail.waitFor({ to: 'left@recovery.test' });
    await t.mail.waitFor({ to: 'chunk.left@recovery.test' });
    const [batch] = await t.dataSource.query('SELECT status, created FROM import_batches WHERE id = ?', [batchId]);
    expect(batch).toMatchObject({ status: 'completed', created: 1 });
    expect(await t.dataSource.getRepository(RegistrationRequest).count()).toBe(0);
    // Nothing left to recover: a second sweep queues nothing.
    expect(await t.get(JobRecovery).sweep()).toEqual({ registrations: 0, mail: 0, imports: 0 });
  });
});
