import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Membership, MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn, uniqueEmail } from '../support/factories';
import { spawnEntry } from '../support/spawn-app';
import { createTestApp, TestApp } from '../support/test-app';
import { xlsx } from '../support/xlsx';

const ROWS = 1500;

/**
 * The API only enqueues (RUN_WORKERS=false); separate worker processes do the
 * chunks. One is killed with SIGKILL mid-batch; another takes over the stalled
 * job once its lock lapses, and the batch finishes with every row imported once.
 */
describe('Import survives a worker killed mid-batch', () => {
  let t: TestApp;
  let cwd: string;
  const workers: Array<ReturnType<typeof spawnEntry>> = [];

  beforeAll(async () => {
    t = await createTestApp({ env: { RUN_WORKERS: 'false', IMPORT_CHUNK_ROWS: '100', JOB_LOCK_MS: '2000' } });
    cwd = mkdtempSync(join(tmpdir(), 'okt-worker-'));
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await t?.close();
    rmSync(cwd, { recursive: true, force: true });
  });

  async function startWorker() {
    const w = spawnEntry('worker.ts', { ...t.env, LOG_LEVEL: 'info', UV_THREADPOOL_SIZE: '1' }, cwd);
    workers.push(w);
    const deadline = Date.now() + 60000;
    while (!w.output().includes('Worker started')) {
      if (Date.now() > deadline || w.child.exitCode !== null) throw new Error(`worker did not start:\n${w.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return w;
  }

  it('finishes with no duplicates and no lost rows', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const emails = Array.from({ length: ROWS }, (_, i) => uniqueEmail(`crash${i}`));
    // Every 5th row has a password: hashing on a one-thread pool makes chunks slow enough to kill one midway.
    const file = await xlsx(emails.map((email, i) => ['Crash', `Test${i}`, email, i % 5 === 0 ? `passphrase number ${i}` : null, 'C', null]));
    const status = async () =>
      (await t.http().get(`/api/institutes/${institute.id}/imports/${id}`).set('Authorization', `Bearer ${manager.token}`).expect(200)).body;

    const accepted = await t
      .http()
      .post(`/api/institutes/${institute.id}/imports`)
      .set('Authorization', `Bearer ${manager.token}`)
      .attach('file', file, 'crash.xlsx')
      .expect(202);
    const id: string = accepted.body.id;

    const first = await startWorker();
    let deadline = Date.now() + 60000;
    while ((await status()).processed < 200) {
      if (Date.now() > deadline) throw new Error(`no progress:\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    first.child.kill('SIGKILL');
    await first.exit;
    const atKill = await status();
    expect(atKill.processed).toBeLessThan(ROWS);

    await startWorker();
    deadline = Date.now() + 120000;
    let done = await status();
    while (done.status !== 'completed' && done.status !== 'failed') {
      if (Date.now() > deadline) throw new Error(`not finished: ${JSON.stringify(done)}`);
      await new Promise((r) => setTimeout(r, 200));
      done = await status();
    }
    expect(done).toMatchObject({ status: 'completed', total: ROWS, processed: ROWS, created: ROWS, attached: 0, skipped: 0, failed: 0 });
    expect(await t.dataSource.getRepository(Membership).countBy({ instituteId: institute.id, role: MembershipRole.Student })).toBe(ROWS);
    const [{ n }] = await t.dataSource.query('SELECT COUNT(DISTINCT email) AS n FROM users WHERE email IN (?)', [emails]);
    expect(Number(n)).toBe(ROWS);
    const chunks: Array<{ done: number; passwords: string | null; results: string }> = await t.dataSource.query(
      'SELECT done, passwords, results FROM import_chunks WHERE batchId = ? AND chunk > 0',
      [id],
    );
    expect(chunks.every((c) => Number(c.done) === 1 && c.passwords === null)).toBe(true);
    const results = chunks.flatMap((c) => JSON.parse(c.results) as Array<{ outcome: string; userId: string }>);
    expect(results).toHaveLength(ROWS);
    expect(results.filter((r) => r.outcome !== 'created' || !r.userId)).toEqual([]);
    // Every student is emailed, once: the mails are recorded and marked sent before their job is acknowledged.
    const deadlineMail = Date.now() + 60000;
    while (new Set(t.mail.messages.flatMap((m) => m.to)).size < ROWS + 1 && Date.now() < deadlineMail) await new Promise((r) => setTimeout(r, 200));
    await t.idle(60000);
    const perRecipient = new Map<string, number>();
    for (const to of t.mail.messages.flatMap((m) => m.to)) perRecipient.set(to, (perRecipient.get(to) ?? 0) + 1);
    expect(emails.filter((e) => perRecipient.get(e) !== 1)).toEqual([]);
  }, 240000);
});
