import { UNSAVED_FORMULA } from '../../src/imports/row-validator';
import { Membership, MembershipRole } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { fixture } from '../fixtures/helpers';
import { seedInstitute, seedMembership, signedIn } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { binary, readXlsx } from '../support/xlsx';

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

  /** Uploads a fixture and waits for its batch to end: the import's detail, as GET …/imports/:id gives it. */
  async function imported(name: string) {
    const { res, instituteId, token } = await uploadFixture(name);
    expect(res.status).toBe(202);
    const deadline = Date.now() + 30000;
    let body: Record<string, unknown> & { status: string };
    do {
      await new Promise((r) => setTimeout(r, 100));
      body = (await t.http().get(`/api/institutes/${instituteId}/imports/${res.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    } while (body.status !== 'completed' && body.status !== 'failed' && Date.now() < deadline);
    return { body, instituteId, token, id: res.body.id as string };
  }

  /** The group stored for `email` in the institute. */
  /** Uploads CSV lines whose rows are all refused (done at once: the answer says completed) and reads the import's detail. */
  async function importedRefused(lines: string[], name: string) {
    const { instituteId, token } = await managerOfNewSchool();
    const res = await t
      .http()
      .post(`/api/institutes/${instituteId}/imports`)
      .set('Authorization', `Bearer ${token}`)
      .attach('file', Buffer.from(lines.join('\n')), name)
      .expect(202);
    expect(res.body.status).toBe('completed');
    const body = (await t.http().get(`/api/institutes/${instituteId}/imports/${res.body.id}`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    return { body, instituteId, token, id: res.body.id as string };
  }

  /** The rows of an import's report, header included, each as its cells' values. */
  async function reportRows(instituteId: string, token: string, id: string) {
    const res = await t
      .http()
      .get(`/api/institutes/${instituteId}/imports/${id}/report`)
      .set('Authorization', `Bearer ${token}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    const rows: unknown[][] = [];
    (await readXlsx(res.body)).worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return rows;
  }

  async function groupOf(instituteId: string, email: string) {
    const user = await t.dataSource.getRepository(User).findOneByOrFail({ email });
    return (await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: user.id, instituteId })).group;
  }

  it.each([
    ['empty.xlsx', 'INVALID_FILE', /empty/],
    ['empty-sheet.xlsx', 'INVALID_HEADER', /^The sheet "Students" is empty/],
    ['header-only.xlsx', 'NO_ROWS', /no student rows/],
    ['wrong-header.xlsx', 'INVALID_HEADER', /^Missing column "Email" \(sheet "Students", row 1 taken as the header\)$/],
    ['docx-renamed.xlsx', 'INVALID_FILE', /not a spreadsheet/],
    ['truncated.xlsx', 'INVALID_FILE', /damaged or truncated/],
    ['bomb.xlsx', 'INVALID_FILE', /decompression bomb/],
    ['too-many-rows.xlsx', 'TOO_MANY_ROWS', /the limit is 50000 per import/],
    ['legacy.xls', 'INVALID_FILE', /\.xlsx/],
  ])('%s → 400 %s', async (name, code, message) => {
    const { res } = await uploadFixture(name);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code, message: expect.stringMatching(message) });
  });

  it.each(['no-student-sheet.xlsx', 'no-student-sheet.ods'])('%s → 400 INVALID_HEADER naming the sheets looked at and the hidden one', async (name) => {
    const { res } = await uploadFixture(name);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      code: 'INVALID_HEADER',
      message: expect.stringMatching(
        /^No sheet has the header row .*sheet "Consignes": missing columns .*sheet "Feuil2": missing columns "First name", "Last name" \(row 1 taken as the header\) \(hidden sheets are not read: "Archive 2025"\)$/,
      ),
    });
    expect(res.body.details).toContainEqual({ field: 'First name', message: 'column is missing', sheet: 'Feuil2', row: 1 });
  });

  it.each([
    // name, data rows, rows failing validation, first names expected among the accounts
    ['cells.xlsx', 6, 0, ['José', 'Anna', 'Paul', 'Léa', 'Hugo', 'Inès']],
    ['duplicates.xlsx', 7, 5, []],
    ['several-sheets.xlsx', 2, 0, ['Right']],
    ['french-headers.xlsx', 2, 0, []],
    ['libreoffice.xlsx', 3, 0, []],
    ['libreoffice.ods', 3, 0, ['Grace']],
    ['inline-strings.xlsx', 2, 0, ['Ada']],
    ['openpyxl-formulas-resaved.xlsx', 3, 0, ['Lucas']],
    ['students.csv', 3, 0, []],
    ['students-comma.csv', 3, 0, []],
  ])('%s → imported: %i rows, %i failed', async (name, total, failed, firstNames) => {
    const { body } = await imported(name);
    expect(body).toMatchObject({ status: 'completed', total, processed: total, failed });
    expect((body.created as number) + (body.attached as number) + (body.skipped as number)).toBe(total - failed);
    for (const firstName of firstNames) expect(await t.dataSource.getRepository(User).existsBy({ firstName })).toBe(true);
    expect(JSON.stringify(body)).not.toContain('[object Object]');
  });

  it.each(['hidden-first-sheet.xlsx', 'hidden-first-sheet.ods', 'second-sheet.xlsx', 'second-sheet.ods'])(
    '%s → the list is read from the first visible sheet that has the header, and the detail says which',
    async (name) => {
      const { body, instituteId } = await imported(name);
      expect(body).toMatchObject({ status: 'completed', total: 3, failed: 0, sheet: 'Élèves', headerRow: 1, ignoredRows: [] });
      expect(await groupOf(instituteId, 'ines.moreau@example.fr')).toBe('4A');
    },
  );

  it.each(['title-rows.xlsx', 'title-rows.ods'])('%s → the title rows above the header are ignored and listed in the detail', async (name) => {
    const { body } = await imported(name);
    expect(body).toMatchObject({
      status: 'completed',
      total: 3,
      failed: 0,
      sheet: 'Élèves',
      headerRow: 4,
      ignoredRows: [
        { row: 1, text: 'Liste des élèves 2026-2027' },
        { row: 2, text: 'Lycée Victor Hugo — classe de 3e B' },
      ],
    });
  });

  it('openpyxl-iso-dates.xlsx → ISO date cells are stored as YYYY-MM-DD, not as 1905 dates', async () => {
    const { body, instituteId } = await imported('openpyxl-iso-dates.xlsx');
    expect(body).toMatchObject({ status: 'completed', total: 2, failed: 0 });
    expect(await groupOf(instituteId, 'zoe.bernard@example.fr')).toBe('2024-09-01');
    expect(await groupOf(instituteId, 'noah.petit@example.fr')).toBe('2025-02-28');
  });

  it('formula-shared-string.xlsx → a formula’s text result stored as a shared string is imported as that text', async () => {
    const { body, instituteId } = await imported('formula-shared-string.xlsx');
    expect(body).toMatchObject({ status: 'completed', total: 1, failed: 0 });
    expect(await groupOf(instituteId, 'zoe.bernard@example.fr')).toBe('3B');
  });

  it('phonetic.xlsx → names without Excel’s phonetic guides', async () => {
    const { body } = await imported('phonetic.xlsx');
    expect(body).toMatchObject({ status: 'completed', total: 2, failed: 0 });
    expect(await t.dataSource.getRepository(User).findOneByOrFail({ email: 'taro.yamada@example.jp' })).toMatchObject({ firstName: '太郎', lastName: '山田' });
  });

  it('openxml-sdk.xlsx → prefixed elements, rows and cells without r: every row, with its own number', async () => {
    const { body, instituteId } = await imported('openxml-sdk.xlsx');
    expect(body).toMatchObject({ status: 'completed', total: 3, failed: 0, sheet: 'Students', headerRow: 1 });
    expect(await groupOf(instituteId, 'alan@example.com')).toBe('42');
    expect(await groupOf(instituteId, 'grace@example.com')).toBe('L3');
  });

  it('openpyxl-formulas.xlsx → the rows whose formula has no saved value fail with that reason, in the detail and the report', async () => {
    const { body, instituteId, token, id } = await imported('openpyxl-formulas.xlsx');
    expect(body).toMatchObject({ status: 'completed', total: 3, failed: 2 });
    expect(body.errors).toEqual([
      { row: 2, field: 'email', message: UNSAVED_FORMULA },
      { row: 4, field: 'group', message: UNSAVED_FORMULA },
    ]);
    const rows = await reportRows(instituteId, token, id);
    expect(rows.slice(1).map((r) => [r[0], r[6], r[7]])).toEqual([
      [2, 'failed', `email: ${UNSAVED_FORMULA}`],
      [3, expect.stringMatching(/created|attached/), expect.any(String)],
      [4, 'failed', `group: ${UNSAVED_FORMULA}`],
    ]);
  });

  it('50,000 rows, every one refused: accepted and reported row by row (each statement under MariaDB’s default 16 MiB packet)', async () => {
    // About 20 MB of refused rows and results as JSON: one statement of them both went over max_allowed_packet.
    const lines = ['First name,Last name,Email,Group,Department'];
    for (let i = 0; i < 50_000; i++)
      lines.push(`Prénom-${i}-abcdefghij,Nom-${i}-abcdefghijkl,not-an-email-${i}-${'x'.repeat(30)},Groupe-${i}-abcdefgh,Département-${i}-abcd`);
    const { body } = await importedRefused(lines, 'refused.csv');
    expect(body).toMatchObject({ status: 'completed', total: 50_000, failed: 50_000, created: 0 });
    expect(body.errors).toHaveLength(1000);
    expect(body.errors[999]).toEqual({ row: 1001, field: 'email', message: 'is not a valid email address' });
  }, 60_000);

  it('refused rows whose cells JSON-escape to twice their size (backslashes): stored in chunks, each statement under the default packet', async () => {
    // 9,000 rows of 1,000 backslashes (each cell at its 200-character limit): a 9 MB file whose
    // refused rows are 18 MB of JSON, and 36 MB as an escaped string: one document of them
    // all went over MariaDB's 16 MiB max_allowed_packet (a 500).
    const cell = '\\'.repeat(200);
    const lines = ['First name,Last name,Email,Group,Department'];
    for (let i = 0; i < 9_000; i++) lines.push([cell, cell, cell, cell, cell].join(','));
    const { body, instituteId, token, id } = await importedRefused(lines, 'backslashes.csv');
    expect(body).toMatchObject({ status: 'completed', total: 9_000, failed: 9_000, created: 0 });
    expect(body.errors).toHaveLength(1000);
    const rows = await reportRows(instituteId, token, id);
    expect(rows).toHaveLength(9_001);
    // The last row, from the last chunk of refused rows, with its cells as they were.
    expect(rows[9_000].slice(0, 3)).toEqual([9_001, cell, cell]);
    expect(rows[9_000][6]).toBe('failed');
  }, 120_000);
});
