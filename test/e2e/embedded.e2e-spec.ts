import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, SpawnedApp, spawnEntry } from '../support/spawn-app';
import { until } from '../support/wait';

/**
 * The README's promise: with no configuration at all the service runs on the
 * embedded default (SQLite file, in-process jobs, mail written to var/mail).
 * The real entry point runs in a child process from an empty directory.
 */
describe('Embedded default (no configuration)', () => {
  let dir: string;
  let app: SpawnedApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'okt-embedded-'));
    app = await spawnApp({}, dir);
  });
  afterAll(async () => {
    await app?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready on SQLite without Redis', async () => {
    const res = await fetch(`${app.baseUrl}/health/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: { status: 'up' } } });
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await fetch(`${app.baseUrl}/docs`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('swagger');
  });

  it('created and migrated var/oktonine.sqlite in the working directory', () => {
    const file = join(dir, 'var', 'oktonine.sqlite');
    expect(existsSync(file)).toBe(true);
    const db = new Database(file, { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as Array<{ name: string }>;
    db.close();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['users', 'memberships', 'migrations']));
  });

  it('runs mail jobs in-process and writes each message to var/mail/<timestamp>-<to>.eml', async () => {
    // An account to write to, created by the operator CLI on the same embedded database.
    const cli = spawnEntry('cli.ts', {}, dir, ['create-staff', 'ops@example.org']);
    expect((await cli.exit).code).toBe(0);
    const res = await fetch(`${app.baseUrl}/api/auth/password/forgot`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.org' }),
    });
    expect(res.status).toBe(202);
    const mailDir = join(dir, 'var', 'mail');
    let files: string[] = [];
    for (let i = 0; i < 100 && !files.length; i++) {
      await new Promise((r) => setTimeout(r, 100));
      // Only finished messages: one being written has a .tmp name until it is renamed whole.
      files = existsSync(mailDir) ? readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
    }
    expect(files).toHaveLength(1);
    expect(readdirSync(mailDir)).toEqual(files);
    expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}T[\d-]+Z-ops@example\.org\.eml$/);
    const mail = await simpleParser(readFileSync(join(mailDir, files[0])));
    expect(mail.subject).toBe('Reset your Oktonine password');
    expect(mail.text).toMatch(/http:\/\/localhost:3000\/reset-password\?token=[\w-]{43}/);
    expect(mail.html).toContain('Choose a new password');
    // One log line per burst of mails (not per mail), saying where they went.
    await until(
      async () => app.output(),
      (out) => out.includes(`1 mail(s) sent written to ${mailDir}`),
      'the delivery line',
    );
  });

  it('has a queue dashboard for staff that says jobs run in-process', async () => {
    const cli = spawnEntry('cli.ts', {}, dir, ['create-staff', 'board@example.org']);
    expect((await cli.exit).code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(cli.output())![1];
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${app.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const { accessToken } = (await (await post('/api/auth/login', { email: 'board@example.org', password })).json()) as { accessToken: string };
    const session = await post('/api/admin/dashboard/session', {}, accessToken);
    expect(session.status).toBe(204);
    const cookie = session.headers.getSetCookie()[0].split(';')[0];
    expect((await fetch(`${app.baseUrl}/admin/queues`, { redirect: 'manual', headers: { Accept: 'text/html' } })).status).toBe(303);
    const page = await fetch(`${app.baseUrl}/admin/queues`, { headers: { Cookie: cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Jobs run in-process');
    expect(html).toContain('<td>mail.send</td>');
  });

  it('writes structured JSON logs', () => {
    const line = app
      .output()
      .split('\n')
      .find((l) => l.includes('Listening on port'));
    expect(JSON.parse(line!)).toMatchObject({ level: 30, msg: expect.stringContaining('Listening on port') });
  });

  it('shuts down cleanly on SIGTERM', async () => {
    const { code, signal } = await app.stop('SIGTERM');
    // Nest closes the app (HTTP server, queues, database), then re-raises the signal.
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    expect(app.output()).toContain('Shutting down on SIGTERM');
  });
});

describe('Invalid configuration', () => {
  it('stops the process with one clear line naming the variable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okt-badcfg-'));
    try {
      const { output, exit } = spawnEntry('main.ts', { PORT: 'abc' }, dir);
      expect((await exit).code).toBe(1);
      expect(output().trim()).toBe('Invalid configuration: PORT must be an integer, got "abc"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a weak BOOTSTRAP_STAFF_PASSWORD with one line, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okt-badcfg-'));
    try {
      const { output, exit } = spawnEntry('main.ts', { BOOTSTRAP_STAFF_EMAIL: 'ops@example.org', BOOTSTRAP_STAFF_PASSWORD: 'short' }, dir);
      expect((await exit).code).toBe(1);
      expect(output().trim()).toBe('Invalid configuration: BOOTSTRAP_STAFF_PASSWORD must be at least 8 characters');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires JWT_SECRET in production', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'okt-badcfg-'));
    try {
      const { output, exit } = spawnEntry('main.ts', { NODE_ENV: 'production' }, dir);
      expect((await exit).code).toBe(1);
      expect(output().trim()).toBe('Invalid configuration: JWT_SECRET is required when NODE_ENV=production');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
