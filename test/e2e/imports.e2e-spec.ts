import * as argon2 from 'argon2';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { Membership, MembershipRole } from '../../src/memberships/entities/membership.entity';
import { User } from '../../src/users/entities/user.entity';
import { UsersService } from '../../src/users/users.service';
import { login, seedInstitute, seedMembership, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';
import { binary, HEADER, readXlsx, xlsx } from '../support/xlsx';

type Signed = Awaited<ReturnType<typeof signedIn>>;

describe('Student import', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Small limits so the 413 and TOO_MANY_ROWS cases need small files (one app: Passport's
    // strategy registry is process-global, so a second app in this process would take it over).
    t = await createTestApp({ env: { IMPORT_CHUNK_ROWS: '50', IMPORT_MAX_BYTES: '300000', IMPORT_MAX_ROWS: '500' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  async function school() {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t, { firstName: 'Maya' });
    const teacher = await signedIn(t, { firstName: 'Tom' });
    const student = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
    await seedMembership(t, student.id, institute.id, MembershipRole.Student);
    return { institute, manager, teacher, student };
  }

  function upload(instituteId: string, token: string, file: Buffer, name = 'students.xlsx', query: Record<string, string> = {}) {
    return t.http().post(`/api/institutes/${instituteId}/imports`).query(query).set(as(token)).attach('file', file, name);
  }

  async function finished(instituteId: string, token: string, id: string) {
    const deadline = Date.now() + 30000;
    for (;;) {
      const res = await t.http().get(`/api/institutes/${instituteId}/imports/${id}`).set(as(token)).expect(200);
      if (res.body.status === 'completed' || res.body.status === 'failed') return res.body;
      if (Date.now() > deadline) throw new Error(`import ${id} still ${res.body.status}: ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function report(instituteId: string, token: string, id: string) {
    const res = await t.http().get(`/api/institutes/${instituteId}/imports/${id}/report`).set(as(token)).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const wb = await readXlsx(res.body);
    const rows: unknown[][] = [];
    wb.worksheets[0].eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return { rows, sheet: wb.worksheets[0] };
  }

  it('the template: one data sheet with the contract header, frozen, an Instructions sheet with the example', async () => {
    const { institute, teacher, student } = await school();
    const res = await t.http().get(`/api/institutes/${institute.id}/imports/template`).set(as(teacher.token)).buffer(true).parse(binary).expect(200);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename=".*\.xlsx"/);
    const wb = await readXlsx(res.body);
    const data = wb.worksheets[0];
    expect((data.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    expect(data.actualRowCount).toBe(1);
    expect(data.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(data.getColumn(3).width).toBeGreaterThan(15);
    expect(wb.worksheets[1].name).toBe('Instructions');
    await t.http().get(`/api/institutes/${institute.id}/imports/template`).set(as(student.token)).expect(403);
  });

  it('creates, attaches, skips and fails rows as the contract says; emails everyone; the report lists every row', async () => {
    const { institute, manager } = await school();
    const outsider = await signedIn(t, { firstName: 'Olga' }); // has an account, not a member
    const member = await signedIn(t); // already a student here
    await seedMembership(t, member.id, institute.id, MembershipRole.Student);
    const withPassword = uniqueEmail('alice');
    const noPassword = uniqueEmail('bob');
    const file = await xlsx([
      ['Alice', 'Martin', withPassword, 'alice-secret-passphrase', '3B', 'Sciences'],
      ['Bob', 'Durand', ` ${noPassword.toUpperCase()} `, null, '3B', 'Lettres'],
      ['Olga', 'Outsider', outsider.email, 'ignored-for-existing-users', '4A', null],
      ['Mia', 'Member', member.email, null, null, null],
      ['Bad', 'Email', 'not-an-email', null, null, null],
      [null, null, null, null, null, null],
      ['=HYPERLINK("http://evil.test","x")', 'Dup', withPassword.toUpperCase(), null, null, null],
    ]);
    const accepted = await upload(institute.id, manager.token, file).expect(202);
    expect(accepted.body).toEqual({ id: expect.any(String), status: 'queued' });
    const done = await finished(institute.id, manager.token, accepted.body.id);
    expect(done).toMatchObject({ status: 'completed', dryRun: false, total: 6, processed: 6, created: 2, attached: 1, skipped: 1, failed: 2 });
    expect(done.errors).toEqual([
      { row: 6, field: 'email', message: expect.any(String) },
      { row: 8, field: 'email', message: expect.stringMatching(/duplicate of row 2/) },
    ]);

    // Created: verified, active students with group and department; the row's password works.
    const alice = await t.dataSource.getRepository(User).findOneByOrFail({ email: withPassword });
    expect(alice.emailVerifiedAt).not.toBeNull();
    // Time-ordered ids (UUID version 7), the account's and its membership's: see src/common/ids.ts.
    const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(alice.id).toMatch(UUID_V7);
    expect(await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: alice.id, instituteId: institute.id })).toMatchObject({
      id: expect.stringMatching(UUID_V7),
      role: 'student',
      status: 'active',
      group: '3B',
      department: 'Sciences',
    });
    await login(t, withPassword, 'alice-secret-passphrase');
    // Attached: their password is left alone.
    await login(t, outsider.email, outsider.password);
    expect(await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: outsider.id, instituteId: institute.id })).toMatchObject({
      role: 'student',
      group: '4A',
    });

    // Bob had no password: his welcome email carries a set-password link that works.
    const bobMail = await t.mail.waitFor({ to: noPassword, subject: /Welcome|Bienvenue/ });
    const token = linkIn(bobMail, `${TEST_APP_URL}/reset-password?token=`).searchParams.get('token')!;
    await t.http().post('/api/auth/password/reset').send({ token, password: 'bob chose this one' }).expect(204);
    await login(t, noPassword, 'bob chose this one');
    await t.mail.waitFor({ to: withPassword, subject: new RegExp(institute.name) });
    await t.mail.waitFor({ to: outsider.email, subject: new RegExp(institute.name) });
    await t.idle();
    t.mail.expectNone({ to: member.email });

    // The uploader's summary, with counts and the link to the import.
    const summary = await t.mail.waitFor({ to: manager.email, subject: /students\.xlsx/ });
    expect(summary.text).toContain(`${TEST_APP_URL}/institutes/${institute.id}/imports/${accepted.body.id}`);
    expect(summary.text).toMatch(/2/);
    const inbox = await t.http().get('/api/notifications').set(as(manager.token)).expect(200);
    expect(inbox.body.items[0]).toMatchObject({ type: 'import.finished', data: { importId: accepted.body.id, created: 2, failed: 2 } });

    // The report: every data row, its outcome and message; no password; formulas defused.
    const { rows, sheet } = await report(institute.id, manager.token, accepted.body.id);
    expect(rows[0]).toEqual(['Row', 'First name', 'Last name', 'Email', 'Group', 'Department', 'Outcome', 'Message']);
    expect(rows.slice(1).map((r) => [r[0], r[6]])).toEqual([
      [2, 'created'],
      [3, 'created'],
      [4, 'attached'],
      [5, 'skipped'],
      [6, 'failed'],
      [8, 'failed'],
    ]);
    expect(JSON.stringify(rows)).not.toMatch(/alice-secret|ignored-for-existing/);
    const injected = sheet.getRow(7).getCell(2);
    expect(injected.value).toBe(`'=HYPERLINK("http://evil.test","x")`);
    expect(injected.formula).toBeUndefined();

    // No plaintext password survives the batch; the audit has the upload and the completion.
    const stored: Array<{ passwords: string | null }> = await t.dataSource.query('SELECT passwords FROM import_chunks WHERE batchId = ?', [accepted.body.id]);
    expect(stored.length).toBeGreaterThan(1);
    expect(stored.every((c) => c.passwords === null)).toBe(true);
    const actions = (await t.dataSource.getRepository(AuditEntry).findBy({ targetId: accepted.body.id })).map((a) => a.action).sort();
    expect(actions).toEqual(['import.completed', 'import.uploaded']);

    // The same file again creates nothing.
    const users = await t.dataSource.getRepository(User).count();
    const again = await upload(institute.id, manager.token, file).expect(202);
    const second = await finished(institute.id, manager.token, again.body.id);
    expect(second).toMatchObject({ created: 0, attached: 0, skipped: 4, failed: 2 });
    expect(await t.dataSource.getRepository(User).count()).toBe(users);

    // Listed newest first.
    const list = await t.http().get(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).expect(200);
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([again.body.id, accepted.body.id]);
  });

  it('two institutes importing the same people at once: one account per email, each institute gets all of them, every row created or attached once', async () => {
    const a = await school();
    const b = await school();
    const rows = Array.from({ length: 120 }, (_, i) => [`Twin${i}`, 'Racer', uniqueEmail(`race${i}`), null, `G${i % 3}`, null]);
    const file = await xlsx(rows);
    const [ua, ub] = await Promise.all([upload(a.institute.id, a.manager.token, file).expect(202), upload(b.institute.id, b.manager.token, file).expect(202)]);
    const [da, db] = await Promise.all([finished(a.institute.id, a.manager.token, ua.body.id), finished(b.institute.id, b.manager.token, ub.body.id)]);
    for (const d of [da, db]) expect(d).toMatchObject({ status: 'completed', total: 120, skipped: 0, failed: 0 });
    // Started when its first chunk was taken (several start at once), finished after.
    for (const d of [da, db]) {
      expect(Date.parse(d.startedAt)).toBeGreaterThanOrEqual(Date.parse(d.createdAt));
      expect(Date.parse(d.finishedAt)).toBeGreaterThanOrEqual(Date.parse(d.startedAt));
    }
    // Each email was created by exactly one of the two imports and attached by the other.
    expect(da.created + db.created).toBe(120);
    expect(da.attached + db.attached).toBe(120);
    const emails = rows.map((r) => String(r[2]).toLowerCase());
    const accounts: Array<{ n: number | string }> = await t.dataSource.query(
      `SELECT COUNT(*) AS n FROM users WHERE email IN (${emails.map(() => '?').join(',')})`,
      emails,
    );
    expect(Number(accounts[0].n)).toBe(120);
    for (const { institute } of [a, b]) {
      const [{ n }] = await t.dataSource.query(
        `SELECT COUNT(*) AS n FROM memberships m JOIN users u ON u.id = m.userId WHERE m.instituteId = ? AND u.email IN (${emails.map(() => '?').join(',')})`,
        [institute.id, ...emails],
      );
      expect(Number(n)).toBe(120);
    }
    await t.idle();
  });

  it('an account created between the chunk reading which emails exist and its writing is attached, not duplicated', async () => {
    const { institute, manager } = await school();
    const late = await signedIn(t);
    const fresh = uniqueEmail('beside-late');
    // The chunk's look at the emails before its transaction misses the account, as if another
    // import created it a moment later (every attempt: a retry must not be what saves the row).
    const users = t.get(UsersService);
    const real = users.idsByEmail.bind(users);
    const spy = jest.spyOn(users, 'idsByEmail').mockImplementation((emails, em) => (em ? real(emails, em) : Promise.resolve(new Map())));
    try {
      const file = await xlsx([
        ['New', 'Beside', fresh, null, null, null],
        ['Late', 'Comer', late.email, null, null, null],
      ]);
      const accepted = await upload(institute.id, manager.token, file).expect(202);
      const done = await finished(institute.id, manager.token, accepted.body.id);
      expect(done).toMatchObject({ status: 'completed', total: 2, created: 1, attached: 1, failed: 0 });
    } finally {
      spy.mockRestore();
    }
    const [{ n }] = await t.dataSource.query('SELECT COUNT(*) AS n FROM users WHERE email IN (?, ?)', [fresh, late.email]);
    expect(Number(n)).toBe(2);
    const [{ id }] = await t.dataSource.query('SELECT id FROM users WHERE email = ?', [late.email]);
    expect(id).toBe(late.id);
    await t.idle();
  });

  it('refused rows beyond one chunk: stored in chunks of IMPORT_CHUNK_ROWS, their errors in row order in the detail, every row in the report', async () => {
    const { institute, teacher } = await school();
    // 120 rows, every twelfth valid: 110 refused rows, three chunks of them at 50 per chunk.
    const valid = new Set<number>();
    const data = Array.from({ length: 120 }, (_, i) => {
      if (i % 12 === 0) {
        valid.add(i + 2);
        return ['Valid', `Student${i}`, uniqueEmail(`mixed${i}`), null, null, null];
      }
      return ['Refused', `Student${i}`, `not-an-email-${i}`, null, null, null];
    });
    const accepted = await upload(institute.id, teacher.token, await xlsx(data)).expect(202);
    const done = await finished(institute.id, teacher.token, accepted.body.id);
    expect(done).toMatchObject({ status: 'completed', total: 120, created: 10, failed: 110 });
    const refusedRows = data.map((_, i) => i + 2).filter((row) => !valid.has(row));
    expect(done.errors).toEqual(refusedRows.map((row) => ({ row, field: 'email', message: expect.any(String) })));
    const chunks: Array<{ chunk: number; rowCount: number; done: number | boolean }> = await t.dataSource.query(
      'SELECT chunk, rowCount, done FROM import_chunks WHERE batchId = ? ORDER BY chunk',
      [accepted.body.id],
    );
    expect(chunks.map((c) => [Number(c.chunk), Number(c.rowCount), Boolean(Number(c.done))])).toEqual([
      [-2, 10, true],
      [-1, 50, true],
      [0, 50, true],
      [1, 10, true],
    ]);
    const { rows } = await report(institute.id, teacher.token, accepted.body.id);
    expect(rows.slice(1).map((r) => [r[0], r[6]])).toEqual(data.map((_, i) => [i + 2, valid.has(i + 2) ? 'created' : 'failed']));
  });

  it('a dry run computes every outcome and writes nothing', async () => {
    const { institute, teacher } = await school();
    const outsider = await signedIn(t);
    const fresh = uniqueEmail('dry');
    const file = await xlsx([
      ['New', 'Student', fresh, STRONG_PASSWORD, null, null],
      ['Old', 'Account', outsider.email, null, null, null],
      ['No', 'Email', '', null, null, null],
    ]);
    const users = await t.dataSource.getRepository(User).count();
    const memberships = await t.dataSource.getRepository(Membership).count();
    const accepted = await upload(institute.id, teacher.token, file, 'dry.xlsx', { dryRun: 'true' }).expect(202);
    const done = await finished(institute.id, teacher.token, accepted.body.id);
    expect(done).toMatchObject({ status: 'completed', dryRun: true, total: 3, created: 1, attached: 1, skipped: 0, failed: 1 });
    expect(done.errors).toEqual([{ row: 4, field: 'email', message: expect.any(String) }]);
    expect(await t.dataSource.getRepository(User).count()).toBe(users);
    expect(await t.dataSource.getRepository(Membership).count()).toBe(memberships);
    const { rows } = await report(institute.id, teacher.token, accepted.body.id);
    expect(rows.slice(1).map((r) => r[7])).toEqual([
      expect.stringMatching(/^Would create/),
      expect.stringMatching(/^Would add/),
      expect.stringMatching(/email/),
    ]);
    // Nothing stored the dry run's passwords, and nobody was emailed.
    const stored: Array<{ passwords: string | null }> = await t.dataSource.query('SELECT passwords FROM import_chunks WHERE batchId = ?', [accepted.body.id]);
    expect(stored.map((c) => c.passwords)).toEqual([null, null]);
    await t.idle();
    t.mail.expectNone({ to: fresh });
    t.mail.expectNone({ to: outsider.email });
  });

  it('streams progress as Server-Sent Events until the end', async () => {
    const { institute, manager } = await school();
    const rows = Array.from({ length: 400 }, (_, i) => [`First${i}`, `Last${i}`, uniqueEmail(`sse${i}`), null, 'G1', null]);
    const accepted = await upload(institute.id, manager.token, await xlsx(rows)).expect(202);
    const res = await t
      .http()
      .get(`/api/institutes/${institute.id}/imports/${accepted.body.id}/events`)
      .set(as(manager.token))
      .buffer(true)
      .parse((r, done) => {
        let text = '';
        const stream = r as unknown as NodeJS.ReadableStream;
        stream.setEncoding('utf8');
        stream.on('data', (c: string) => (text += c));
        stream.on('end', () => done(null, text));
      });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/event-stream');
    const events = (res.body as string)
      .split('\n\n')
      .filter((block) => block.includes('data: '))
      .map((block) => ({ event: /event: (\w+)/.exec(block)![1], data: JSON.parse(/data: (.*)/.exec(block)![1]) }));
    expect(events.length).toBeGreaterThanOrEqual(1);
    const processed = events.map((e) => e.data.processed);
    expect([...processed].sort((a, b) => a - b)).toEqual(processed);
    expect(events[events.length - 1]).toMatchObject({ event: 'end', data: { status: 'completed', processed: 400, created: 400 } });
    expect(events.slice(0, -1).every((e) => e.event === 'progress')).toBe(true);
    expect(await t.dataSource.getRepository(Membership).countBy({ instituteId: institute.id, group: 'G1' })).toBe(400);
  });

  it('reads real spreadsheets: headers in any order, case and language; hyperlinks, rich text, formulas, numbers and dates as text; CSV', async () => {
    const { institute, manager } = await school();
    const linked = uniqueEmail('link');
    const rich = uniqueEmail('rich');
    const quoted = uniqueEmail('quoted');
    const file = await xlsx(
      [
        [
          { text: linked, hyperlink: `mailto:${linked}` },
          'Dupont',
          { richText: [{ text: 'Jean-' }, { font: { bold: true }, text: 'Luc' }] },
          { formula: 'CONCAT("3","C")', result: '3C' },
          2026,
          null,
        ],
        [rich, 'Martin', 'Zoé', new Date(Date.UTC(2026, 8, 1)), ' Maths  ', 'correct horse battery staple'],
        // Quotes, backslashes and a character outside the BMP: the rows and passwords are stored as JSON
        // (sent to MySQL as UTF-8 bytes, src/common/sql.ts longText) and must come back unchanged.
        [quoted, `D'Arc "la \\ Pucelle"`, 'Jeanne 😀', '5"B\\', null, `a "pass" \\ phrase d'Arc 😀`],
      ],
      ['Courriel', 'NOM', 'prénom', 'Groupe', 'Département', 'Mot de passe'],
    );
    const accepted = await upload(institute.id, manager.token, file).expect(202);
    const done = await finished(institute.id, manager.token, accepted.body.id);
    expect(done).toMatchObject({ created: 3, failed: 0 });
    const jl = await t.dataSource.getRepository(User).findOneByOrFail({ email: linked });
    expect(jl).toMatchObject({ firstName: 'Jean-Luc', lastName: 'Dupont' });
    expect(await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: jl.id })).toMatchObject({ group: '3C', department: '2026' });
    const zoe = await t.dataSource.getRepository(User).findOneByOrFail({ email: rich });
    expect(await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: zoe.id })).toMatchObject({ group: '2026-09-01', department: 'Maths' });
    await login(t, rich, 'correct horse battery staple');
    const jeanne = await t.dataSource.getRepository(User).findOneByOrFail({ email: quoted });
    expect(jeanne).toMatchObject({ firstName: 'Jeanne 😀', lastName: `D'Arc "la \\ Pucelle"` });
    expect(await t.dataSource.getRepository(Membership).findOneByOrFail({ userId: jeanne.id })).toMatchObject({ group: '5"B\\' });
    await login(t, quoted, `a "pass" \\ phrase d'Arc 😀`);

    const csvEmail = uniqueEmail('csv');
    const csv = Buffer.from(`\uFEFFPrénom;Nom;E-mail;Groupe\r\n"Anne; Marie";Curie;${csvEmail};5A\r\n`, 'utf8');
    const fromCsv = await upload(institute.id, manager.token, csv, 'eleves.csv').expect(202);
    expect(await finished(institute.id, manager.token, fromCsv.body.id)).toMatchObject({ created: 1 });
    expect(await t.dataSource.getRepository(User).findOneByOrFail({ email: csvEmail })).toMatchObject({ firstName: 'Anne; Marie', lastName: 'Curie' });
  });

  it('refuses bad uploads with the contract’s errors and writes nothing', async () => {
    const { institute, manager, teacher, student } = await school();
    const other = await school();
    const ok = await xlsx([['A', 'B', uniqueEmail(), null, null, null]]);
    const batches = async () => (await t.http().get(`/api/institutes/${institute.id}/imports`).set(as(manager.token))).body.items.length;
    const before = await batches();

    const noFile = await t.http().post(`/api/institutes/${institute.id}/imports`).set(as(manager.token)).expect(400);
    expect(noFile.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'file' }] });
    const docx = await upload(institute.id, manager.token, Buffer.from('not a spreadsheet at all \u0000\u0001'), 'x.xlsx').expect(400);
    expect(docx.body.code).toBe('INVALID_FILE');
    const header = await upload(institute.id, manager.token, await xlsx([['A', 'B', 'c@d.org']], ['First name', 'Last name', 'Mail address'])).expect(400);
    expect(header.body).toMatchObject({ code: 'INVALID_HEADER', message: expect.stringContaining('Email') });
    const empty = await upload(institute.id, manager.token, await xlsx([])).expect(400);
    expect(empty.body.code).toBe('NO_ROWS');
    const bad = await upload(institute.id, manager.token, ok, 'x.xlsx', { dryRun: 'maybe' }).expect(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');

    // Another institute: 404; a student: 403; a teacher may.
    await upload(other.institute.id, manager.token, ok).expect(404);
    await upload(institute.id, student.token, ok).expect(403);
    await t.http().get(`/api/institutes/${institute.id}/imports`).set(as(student.token)).expect(403);
    expect(await batches()).toBe(before);
    const byTeacher = await upload(institute.id, teacher.token, ok).expect(202);
    await finished(institute.id, teacher.token, byTeacher.body.id);
    // Another institute's import id is 404 on every route, like an unknown one.
    for (const path of ['', '/report', '/events']) {
      await t.http().get(`/api/institutes/${other.institute.id}/imports/${byTeacher.body.id}${path}`).set(as(other.manager.token)).expect(404);
      await t.http().get(`/api/institutes/${institute.id}/imports/00000000-0000-4000-8000-000000000000${path}`).set(as(manager.token)).expect(404);
    }
  });

  it('refuses files over IMPORT_MAX_BYTES with 413 FILE_TOO_LARGE and more rows than IMPORT_MAX_ROWS with TOO_MANY_ROWS', async () => {
    const { institute, manager } = await school();
    const big = Buffer.alloc(300001, 'a');
    const res = await upload(institute.id, manager.token, big, 'big.xlsx').expect(413);
    expect(res.body).toEqual({
      statusCode: 413,
      code: 'FILE_TOO_LARGE',
      message: 'The file is larger than 0.29 MB, the limit for an import',
      details: { maxBytes: 300000 },
    });
    const tooMany = await xlsx(Array.from({ length: 501 }, (_, i) => ['A', 'B', `r${i}@example.org`, null, null, null]));
    const many = await upload(institute.id, manager.token, tooMany, 'many.xlsx').expect(400);
    expect(many.body).toEqual({
      statusCode: 400,
      code: 'TOO_MANY_ROWS',
      message: 'The file has more than 500 rows of students: the limit is 500 per import',
      details: { maxRows: 500 },
    });
    expect((await t.http().get(`/api/institutes/${institute.id}/imports`).set(as(manager.token))).body.items).toEqual([]);
  });

  it('hashes with argon2id at the required parameters', async () => {
    const { institute, manager } = await school();
    const email = uniqueEmail('hash');
    const accepted = await upload(institute.id, manager.token, await xlsx([['H', 'Ash', email, 'a hashed passphrase', null, null]])).expect(202);
    await finished(institute.id, manager.token, accepted.body.id);
    const row = await t.dataSource.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.email = :email', { email }).getOneOrFail();
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(await argon2.verify(row.passwordHash!, 'a hashed passphrase')).toBe(true);
  });
});

export type { Signed };
