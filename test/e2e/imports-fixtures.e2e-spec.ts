import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { fixture } from '../fixtures/helpers';
import { seedInstitute, seedMembership, signedIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * Every file of test/fixtures uploaded over HTTP with the default limits
 * (10 MB, 50,000 rows): a clear 400 in the contract's shape, or a correct import.
 * Never a 500, never a hang.
 */
describe('Import fixtures', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  async function managerOfNewSchool() {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    return { instituteId: institute.id, token: manager.token };
  }

  async function uploadFixture(name: string) {
    const { instituteId, token } = await managerOfNewSchool();
    const res = await t.http().post(`/api/institutes/${instituteId}/imports`).set('Authorization', `Bearer ${token}`).attach('file', fixture(name), name);
    return { res, instituteId, token };
  }

  it.each([
    ['empty.xlsx', 'INVALID_FILE', /empty/],
    ['empty-sheet.xlsx', 'INVALID_HEADER', /empty/],
    ['header-only.xlsx', 'NO_ROWS', /no student rows/],
    ['wrong-header.xlsx', 'INVALID_HEADER', /Email/],
    ['docx-renamed.xlsx', 'INVALID_FILE', /not an Excel workbook/],
    ['truncated.xlsx', 'INVALID_FILE', /damaged or truncated/],
    ['bomb.xlsx', 'INVALID_FILE', /decompression bomb/],
    ['too-many-rows.xlsx', 'TOO_MANY_ROWS', /50[ ,.]?000/],
    ['legacy.xls', 'INVALID_FILE', /\.xlsx/],
  ])('%s → 400 %s', async (name, code, message) => {
    const { res } = await uploadFixture(name);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code, message: expect.stringMatching(message) });
  });

  it.each([
    // name, data rows, rows failing validation, first names expected among the accounts
    ['cells.xlsx', 6, 0, ['José', 'Anna', 'Paul', 'Léa', 'Hugo', 'Inès']],
    ['duplicates.xlsx', 7, 5, []],
    ['several-sheets.xlsx', 2, 0, ['Right']],
    ['french-headers.xlsx', 2, 0, []],
    ['libreoffice.xlsx', 3, 0, []],
    ['inline-strings.xlsx', 2, 0, ['Ada']],
    ['students.csv', 3, 0, []],
    ['students-comma.csv', 3, 0, []],
  ])('%s → imported: %i rows, %i failed', async (name, total, failed, firstNames) => {
    const { res, instituteId, token } = await uploadFixture(name);
    expect(res.status).toBe(202);
    const deadline = Date.now() + 30000;
    let body: Record<string, unknown> & { status: string };
    do {
      await new Promise((r) => setTimeout(r, 100));
      body = (await t.http().get(`/api/institutes/${instituteId}/imports/${res.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    } while (body.status !== 'completed' && body.status !== 'failed' && Date.now() < deadline);
    expect(body).toMatchObject({ status: 'completed', total, processed: total, failed });
    expect((body.created as number) + (body.attached as number) + (body.skipped as number)).toBe(total - failed);
    for (const firstName of firstNames) expect(await t.dataSource.getRepository(User).existsBy({ firstName })).toBe(true);
    expect(JSON.stringify(body)).not.toContain('[object Object]');
  });
});
