import { FakeClock } from '../../src/common/clock';
import { ImportChunk } from '../../src/imports/entities/import-chunk.entity';
import { ImportRetentionService } from '../../src/imports/import-retention.service';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { xlsx } from '../support/xlsx';

describe('Import retention (IMPORT_RETENTION_DAYS)', () => {
  let t: TestApp;
  const clock = new FakeClock();
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    // The repeatable job runs every 200 ms here, so the test sees it run without waiting an hour.
    t = await createTestApp({ clock, env: { IMPORT_RETENTION_DAYS: '30', IMPORT_RETENTION_EVERY_MS: '200' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the repeatable job purges row data 30 days after the batch ended; the report then answers 410 REPORT_EXPIRED', async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const email = uniqueEmail('retained');
    const file = await xlsx([['Rita', 'Retention', email, STRONG_PASSWORD, '2A', '']]);
    const batch = await t.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).attach('file', file, 'students.xlsx').expect(202);
    await t.idle();
    const base = `/api/institutes/${institute.id}/imports/${batch.body.id}`;
    await t.http().get(`${base}/report`).set(as(manager.token)).expect(200);

    // Within the retention period nothing is purged.
    clock.advance(29 * 86_400_000);
    expect(await t.get(ImportRetentionService).run()).toBe(0);
    await t.http().get(`${base}/report`).set(as(manager.token)).expect(200);

    clock.advance(2 * 86_400_000);
    // The scheduled job (not a direct call) does the purge: wait for its effect.
    const deadline = Date.now() + 20_000;
    let res = await t.http().get(`${base}/report`).set(as(manager.token));
    while (res.status !== 410 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      res = await t.http().get(`${base}/report`).set(as(manager.token));
    }
    expect(res.status).toBe(410);
    expect(res.body).toMatchObject({ statusCode: 410, code: 'REPORT_EXPIRED' });

    const chunks = await t.dataSource
      .getRepository(ImportChunk)
      .find({ select: { batchId: true, chunk: true, rows: true, results: true, passwords: true }, where: { batchId: batch.body.id } });
    expect(JSON.stringify(chunks)).not.toContain(email);
    expect(JSON.stringify(chunks)).not.toContain('Retention');
    // The batch keeps its counts.
    const detail = await t.http().get(base).set(as(manager.token)).expect(200);
    expect(detail.body).toMatchObject({ status: 'completed', total: 1, created: 1 });
  });
});
