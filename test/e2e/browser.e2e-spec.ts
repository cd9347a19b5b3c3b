import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { MembershipRole } from '../../src/memberships/entities/membership.entity';
import { seedInstitute, seedMembership, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it): nothing is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where a failing step leaves its screenshot. */
const SHOTS = join(__dirname, '..', '..', 'test-results', 'browser');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Runs one step of a browser test; when it fails, the page's screenshot is saved
 * under test-results/browser/ and named in the error.
 */
async function step<T>(page: Page, name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    mkdirSync(SHOTS, { recursive: true });
    const file = join(SHOTS, `${name}.png`);
    await page.screenshot({ path: file, fullPage: false }).catch(() => undefined);
    if (error instanceof Error) error.message += `\n(screenshot of ${page.url()}: ${file})`;
    throw error;
  }
}

/**
 * What a person does in a browser against the development setup: APP_URL is the
 * API itself, mail written to MAIL_DIR (no SMTP), jobs on Redis.
 */
describe('In a browser (Chromium)', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let mailDir: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    mailDir = mkdtempSync(join(tmpdir(), 'okt-browser-mail-'));
    t = await createTestApp({ env: { PORT: String(port), APP_URL: base, SMTP_URL: undefined, MAIL_DIR: mailDir }, listen: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Root on CI needs --no-sandbox; the rest keeps Chromium off a network it does not have.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(mailDir, { recursive: true, force: true });
  });

  const newPage = async () => {
    const context = await browser.newContext({ baseURL: base });
    const page = await context.newPage();
    page.setDefaultTimeout(15000);
    return page;
  };

  it('Swagger UI: authorizes with an access token and executes GET /api/me', async () => {
    const staff = await signedIn(t, { isStaff: true });
    const page = await newPage();
    await step(page, 'docs-authorize', async () => {
      await page.goto('/docs');
      await page.locator('button.authorize').first().click();
      const scheme = page.locator('.auth-container').filter({ has: page.locator('h4', { hasText: /^bearer/ }) });
      await scheme.locator('input').fill(staff.token);
      await scheme.locator('button.authorize').click();
      await scheme.locator('button.btn-done').click();
    });
    await step(page, 'docs-execute', async () => {
      const operation = page.locator('.opblock-get').filter({ has: page.locator('[data-path="/api/me"]') });
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      await operation.getByRole('button', { name: 'Execute' }).click();
      const response = operation.locator('.live-responses-table');
      await response.locator('.response-col_status', { hasText: '200' }).waitFor();
      await response.getByText(staff.email).first().waitFor();
    });
    await page.context().close();
  });

  it("queue dashboard: staff sign in and see a finished import's jobs; a teacher is refused", async () => {
    const institute = await seedInstitute(t);
    const manager = await signedIn(t);
    await seedMembership(t, manager.id, institute.id, MembershipRole.Manager);
    const csv = ['First name,Last name,Email,Password', `Ada,Browser,${uniqueEmail('board')},`].join('\n');
    const upload = await t
      .http()
      .post(`/api/institutes/${institute.id}/imports`)
      .set('Authorization', `Bearer ${manager.token}`)
      .attach('file', Buffer.from(csv), 'students.csv')
      .expect(202);
    await until(
      async () => (await t.http().get(`/api/institutes/${institute.id}/imports/${upload.body.id}`).set('Authorization', `Bearer ${manager.token}`)).body.status,
      (s) => s === 'completed',
      'import completed',
    );
    await t.idle();

    const staff = await signedIn(t, { isStaff: true });
    const page = await newPage();
    await step(page, 'board-sign-in', async () => {
      await page.goto('/admin/queues');
      await page.waitForURL(/\/admin\/sign-in\?next=/);
      await page.getByLabel('Email').fill(staff.email);
      await page.getByLabel('Password').fill(staff.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/admin\/queues$/);
    });
    await step(page, 'board-import-jobs', async () => {
      await page.goto('/admin/queues/queue/imports.chunk?status=completed');
      await page.getByText(`${upload.body.id}:1`).first().waitFor();
      await page.goto('/admin/queues/queue/imports.welcome-mails?status=completed');
      await page.getByText(`${upload.body.id}:1:welcome`).first().waitFor();
    });
    await page.context().close();

    const teacher = await signedIn(t);
    await seedMembership(t, teacher.id, institute.id, MembershipRole.Teacher);
    const refused = await newPage();
    await step(refused, 'board-teacher', async () => {
      await refused.goto('/admin/queues');
      await refused.getByLabel('Email').fill(teacher.email);
      await refused.getByLabel('Password').fill(teacher.password);
      await refused.getByRole('button', { name: 'Sign in' }).click();
      await refused.getByText('Only platform staff can open the queue dashboard.').waitFor();
      await refused.goto('/admin/queues/queue/imports.chunk');
      await refused.waitForURL(/\/admin\/sign-in\?next=/);
    });
    await refused.context().close();
  });

  it('development mode: follows the verification mail from /dev/mail to a verified sign-in', async () => {
    const institute = await seedInstitute(t);
    const email = uniqueEmail('newcomer');
    await t
      .http()
      .post('/api/auth/register/teacher')
      .send({ firstName: 'New', lastName: 'Comer', email, password: STRONG_PASSWORD, instituteId: institute.id })
      .expect(202);
    await t.idle();
    expect((await t.http().post('/api/auth/login').send({ email, password: STRONG_PASSWORD })).body.code).toBe('EMAIL_NOT_VERIFIED');

    const page = await newPage();
    await step(page, 'dev-mail-list', async () => {
      await page.goto('/dev/mail');
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').click();
    });
    await step(page, 'dev-mail-verify', async () => {
      await page.getByRole('link', { name: /\/verify-email\?token=/ }).click();
      await page.waitForURL(/\/verify-email\?token=/);
      await page.getByRole('button', { name: 'Confirm my email address' }).click();
      await page.getByText('Your email address is verified').waitFor();
    });
    await step(page, 'dev-mail-sign-in', async () => {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`Signed in as ${email}.`).waitFor();
    });
    await page.context().close();
    expect((await t.http().post('/api/auth/login').send({ email, password: STRONG_PASSWORD })).status).toBe(200);
  });

  it('development mode: a person created without a password chooses it from the set-password mail, then signs in', async () => {
    const staff = await signedIn(t, { isStaff: true });
    const email = uniqueEmail('set-password');
    await t.http().post('/api/users').set('Authorization', `Bearer ${staff.token}`).send({ firstName: 'Set', lastName: 'Later', email }).expect(201);
    await t.idle();

    const page = await newPage();
    await step(page, 'dev-mail-set-password', async () => {
      await page.goto('/dev/mail');
      await page.getByRole('row').filter({ hasText: email }).getByRole('link').click();
      await page.getByRole('link', { name: /\/reset-password\?token=/ }).click();
      await page.waitForURL(/\/reset-password\?token=/);
      await page.getByLabel('New password').fill(STRONG_PASSWORD);
      await page.getByLabel('Repeat it').fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Set my password' }).click();
      await page.getByText('Your password is set. You can sign in.').waitFor();
    });
    await step(page, 'dev-mail-set-password-sign-in', async () => {
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(`Signed in as ${email}.`).waitFor();
    });
    await page.context().close();
  });
});
