import Bull from 'bull';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MailService } from '../../src/mail/mail.service';
import { TEST_REDIS_URL } from '../support/infra';
import { spawnEntry } from '../support/spawn-app';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

describe('Mail delivery is recorded before its job is acknowledged', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ env: { JOB_BACKOFF_MS: '50' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a send job delivered twice (a worker died after the SMTP server accepted the mail) sends once', async () => {
    await t.get(MailService).send({ to: 'twice@example.org', template: 'test-message', context: { name: 'Once' } });
    await t.mail.waitFor({ to: 'twice@example.org' });
    await t.idle();
    const [entry] = await t.dataSource.query("SELECT id, status, attempts FROM mail_log WHERE recipient = 'twice@example.org'");
    expect(entry).toMatchObject({ status: 'sent', attempts: 1 });

    // Bull hands a job whose worker died to another worker: the same payload, again.
    const queue = new Bull('mail.send', TEST_REDIS_URL, { prefix: t.env.QUEUE_PREFIX });
    try {
      await queue.add({ mailId: entry.id });
      await t.idle();
    } finally {
      await queue.close();
    }
    expect(t.mail.find({ to: 'twice@example.org' })).toHaveLength(1);
  });

  it('mails share pooled SMTP connections instead of opening one session per mail', async () => {
    const mails = Array.from({ length: 40 }, (_, i) => ({ to: `pooled.${i}@example.org`, template: 'test-message', context: { name: `N${i}` } }));
    await t.get(MailService).sendMany(mails);
    const pooled = await until(
      () => Promise.resolve(t.mail.messages.filter((m) => m.to[0]?.startsWith('pooled.'))),
      (list) => list.length === 40,
      'the 40 mails',
    );
    const sessions = new Set(pooled.map((m) => m.session));
    // At most SMTP_CONNECTIONS (10) connections, however many mails.
    expect(sessions.size).toBeLessThanOrEqual(10);
  });

  it('a mail whose sending fails is retried, and marked failed with its error once the attempts run out', async () => {
    await t.get(MailService).send({ to: 'nobody@example.org', template: 'no-such-template', context: {} });
    await t.idle(60000);
    const [entry] = await t.dataSource.query("SELECT status, attempts, lastError FROM mail_log WHERE recipient = 'nobody@example.org'");
    expect(entry).toMatchObject({ status: 'failed', attempts: 5 });
    expect(entry.lastError).toMatch(/no-such-template/);
  });
});

describe('A worker told to stop while an SMTP server holds a mail', () => {
  let api: TestApp;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okt-drain-'));
    // Short lock: the job of the worker that left is taken over quickly.
    api = await createTestApp({ env: { RUN_WORKERS: 'false', JOB_LOCK_MS: '2000' } });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits after its bounded drain; another worker then sends the mail, once', async () => {
    const held = api.mail.holdNext();
    const first = spawnEntry('worker.ts', { ...api.env, RUN_WORKERS: 'true', SHUTDOWN_DRAIN_MS: '500', LOG_LEVEL: 'info' }, dir);
    try {
      await until(
        async () => first.output(),
        (out) => out.includes('Worker started'),
        'the first worker',
      );
      await api.get(MailService).send({ to: 'held@example.org', template: 'test-message', context: { name: 'Held' } });
      await held.reached;

      // Without a bound, the worker would wait for the SMTP reply, which only comes after it exits.
      first.child.kill('SIGTERM');
      const exit = await first.exit;
      expect(exit.signal ?? exit.code).toBeDefined();
      expect(first.output()).toContain('Jobs still running at shutdown');
      // The relay notices the hang-up, so the held message is never accepted.
      await held.clientGone;
    } finally {
      held.release();
      if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
    }

    const second = await createTestApp({ shareWith: api, env: { RUN_WORKERS: 'true' } });
    try {
      await api.mail.waitFor({ to: 'held@example.org' }, 30000);
      await second.idle();
      expect(api.mail.find({ to: 'held@example.org' })).toHaveLength(1);
      const [entry] = await second.dataSource.query("SELECT status FROM mail_log WHERE recipient = 'held@example.org'");
      expect(entry.status).toBe('sent');
    } finally {
      await second.close();
    }
  });
});
