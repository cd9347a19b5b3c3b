import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, SpawnedApp, spawnEntry } from '../support/spawn-app';

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

  it('writes structured JSON logs', () => {
    const line = app.output().split('\n').find((l) => l.includes('Listening on port'));
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
