import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { login, seedUser, uniqueEmail } from '../support/factories';
import { spawnEntry } from '../support/spawn-app';
import { createTestApp, TestApp } from '../support/test-app';

// Each test runs the CLI through ts-node (compiled on the fly): slow on a busy machine.
jest.setTimeout(180_000);

describe('Operator CLI', () => {
  let t: TestApp;
  let dir: string;
  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'okt-cli-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (...args: string[]) => {
    const { output, exit } = spawnEntry('cli.ts', { DATABASE_URL: t.env.DATABASE_URL, JWT_SECRET: t.env.JWT_SECRET }, dir, args);
    const { code } = await exit;
    return { code, out: output() };
  };

  it('create-staff generates a password, prints it once, and the account signs in as staff', async () => {
    const email = uniqueEmail('cli-staff');
    const { code, out } = await run('create-staff', email);
    expect(code).toBe(0);
    const password = /Password \(shown once\): (\S+)/.exec(out)?.[1];
    expect(password).toBeDefined();
    const session = await login(t, email, password!);
    const me = await t.http().get('/api/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(me.body.isStaff).toBe(true);

    const again = await run('create-staff', email);
    expect(again.code).toBe(0);
    expect(again.out).toContain('is already staff: nothing changed');
    expect(again.out).not.toMatch(/shown once|now staff/);
  });

  it('create-staff promotes an existing account, keeping its password', async () => {
    const user = await seedUser(t);
    const { code, out } = await run('create-staff', user.email);
    expect(code).toBe(0);
    expect(out).toContain('already had an account: it is now staff');
    const session = await login(t, user.email, user.password);
    const me = await t.http().get('/api/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(me.body.isStaff).toBe(true);
  });

  it('migration:show lists the applied migrations', async () => {
    const { code, out } = await run('migration:show');
    expect(code).toBe(0);
    expect(out).toMatch(/\[X\] InitialSchema\d+/);
  });

  it('an unknown command prints the usage and fails', async () => {
    const { code, out } = await run('nope');
    expect(code).toBe(2);
    expect(out).toContain('Usage: npm run cli --');
  });
});
