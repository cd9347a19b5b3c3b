import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import { seedInstitute, seedUser, STRONG_PASSWORD } from '../support/factories';
import { createTestApp, TestApp } from '../support/test-app';
import { comparePairedTimings, TimingComparison } from '../support/timing';

/**
 * The routes that must not reveal who has an account answer in the same time
 * for an address with an account and for one without. Two proofs:
 *  - the request sends the database the very same statements either way (exact,
 *    and what makes the timing equal);
 *  - measured medians over many paired requests agree. The rule is in
 *    test/support/timing.ts: the 99% confidence interval of the median paired
 *    difference must not lie wholly outside ±10% of the unknown address's median.
 *    Registration hashes a password (~40 ms of argon2) either way, so there the
 *    timing comparison only catches differences of 10% or more; the statement
 *    comparison catches any extra work.
 */
describe('No timing oracle on the enumeration-proof routes', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    // Jobs stay queued (no worker in this process): what is measured is the request path
    // alone, not the mail work an existing account triggers in the background.
    t = await createTestApp({ listen: true, env: { RUN_WORKERS: 'false' } });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await res.arrayBuffer();
    if (res.status !== 202) throw new Error(`${path}: ${res.status}`);
  };
  const unknown = () => `nobody.${randomBytes(6).toString('hex')}@example.org`;
  const explain = (c: TimingComparison) =>
    `median unknown ${c.baselineMedianMs.toFixed(2)} ms, existing ${c.otherMedianMs.toFixed(2)} ms, ` +
    `paired difference ${c.medianDiffMs.toFixed(2)} ms, 99% CI [${c.ci99Ms.map((x) => x.toFixed(2)).join(', ')}], band ±${c.bandMs.toFixed(2)} ms over ${c.pairs} pairs`;

  async function accounts(n: number, verified = true) {
    const users = [];
    for (let i = 0; i < n; i++) users.push(await seedUser(t, { password: null, verified }));
    return users;
  }

  async function warmUp(path: string, body: () => unknown) {
    for (let i = 0; i < 20; i++) await post(path, body());
  }

  it('forgot-password: an existing address takes the same time as an unknown one', async () => {
    const existing = await accounts(150);
    await warmUp('/api/auth/password/forgot', () => ({ email: unknown() }));
    const c = await comparePairedTimings(
      150,
      () => post('/api/auth/password/forgot', { email: unknown() }),
      (i) => post('/api/auth/password/forgot', { email: existing[i].email }),
    );
    expect({ leaks: c.leaks, figures: explain(c) }).toEqual({ leaks: false, figures: expect.any(String) });
  });

  it('resend-verification: an unverified account takes the same time as an unknown address', async () => {
    const existing = await accounts(150, false);
    await warmUp('/api/auth/verify-email/resend', () => ({ email: unknown() }));
    const c = await comparePairedTimings(
      150,
      () => post('/api/auth/verify-email/resend', { email: unknown() }),
      (i) => post('/api/auth/verify-email/resend', { email: existing[i].email }),
    );
    expect({ leaks: c.leaks, figures: explain(c) }).toEqual({ leaks: false, figures: expect.any(String) });
  });

  /** The SQL statements (text, not values) the database receives while `run` goes. */
  async function statements(run: () => Promise<unknown>): Promise<string[]> {
    const logger = t.dataSource.logger;
    const seen: string[] = [];
    const spy = Object.create(logger) as typeof logger;
    spy.logQuery = (query: string) => {
      seen.push(query);
    };
    (t.dataSource as { logger: typeof logger }).logger = spy;
    try {
      await run();
    } finally {
      (t.dataSource as { logger: typeof logger }).logger = logger;
    }
    return seen;
  }

  it.each([
    ['forgot-password', '/api/auth/password/forgot', (email: string) => ({ email })],
    ['resend-verification', '/api/auth/verify-email/resend', (email: string) => ({ email })],
    [
      'teacher registration',
      '/api/auth/register/teacher',
      (email: string) => ({ firstName: 'Tim', lastName: 'Ing', email, password: STRONG_PASSWORD, instituteId: '' }),
    ],
    [
      'professional registration',
      '/api/auth/register/professional',
      (email: string) => ({ firstName: 'Tim', lastName: 'Ing', email, password: STRONG_PASSWORD, companyName: 'Same Work SA' }),
    ],
  ])('%s sends the database the same statements for an address with an account and one without', async (_label, path, body) => {
    const institute = await seedInstitute(t);
    const [user] = await accounts(1, false);
    const withBody = (email: string) => {
      const b = body(email) as Record<string, unknown>;
      if ('instituteId' in b) b.instituteId = institute.id;
      return b;
    };
    const forExisting = await statements(() => post(path, withBody(user.email)));
    const forUnknown = await statements(() => post(path, withBody(unknown())));
    expect(forExisting.length).toBeGreaterThan(0);
    expect(forExisting).toEqual(forUnknown);
  });

  it('teacher registration: an address with an account takes the same time as a new one', async () => {
    const institute = await seedInstitute(t);
    const existing = await accounts(120);
    const body = (email: string) => ({ firstName: 'Tim', lastName: 'Ing', email, password: STRONG_PASSWORD, instituteId: institute.id });
    await warmUp('/api/auth/register/teacher', () => body(unknown()));
    const c = await comparePairedTimings(
      120,
      () => post('/api/auth/register/teacher', body(unknown())),
      (i) => post('/api/auth/register/teacher', body(existing[i].email)),
    );
    expect({ leaks: c.leaks, figures: explain(c) }).toEqual({ leaks: false, figures: expect.any(String) });
  });
});
