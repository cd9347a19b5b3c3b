import { createHmac } from 'node:crypto';
import Redis from 'ioredis';
import { FakeClock } from '../../src/common/clock';
import { PasswordService } from '../../src/auth/password.service';
import { StaffService } from '../../src/users/staff.service';
import { User } from '../../src/users/entities/user.entity';
import { AuditEntry } from '../../src/audit/entities/audit-entry.entity';
import { login, seedUser, signedIn, STRONG_PASSWORD, uniqueEmail } from '../support/factories';
import { TEST_REDIS_URL } from '../support/infra';
import { linkIn } from '../support/mail-catcher';
import { until } from '../support/wait';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

function b64(obj: object): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

function signHs256(payload: object, secret: string, header: object = { alg: 'HS256', typ: 'JWT' }): string {
  const body = `${b64(header)}.${b64(payload)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

describe('Accounts and access', () => {
  let t: TestApp;
  const clock = new FakeClock();

  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(() => clock.reset());

  const me = (token: string) => t.http().get('/api/me').set('Authorization', `Bearer ${token}`);

  describe('login', () => {
    it('returns an access token, a refresh token and the user', async () => {
      const u = await seedUser(t, { email: uniqueEmail('Login').replace('Login', 'LoGin') });
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ email: `  ${u.email.toUpperCase()} `, password: u.password })
        .expect(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: u.id, email: u.email, emailVerified: true } });
      expect(res.body.user.passwordHash).toBeUndefined();
      const profile = await me(res.body.accessToken).expect(200);
      expect(profile.body).toMatchObject({ id: u.id, memberships: [], company: null });
    });

    it('answers an unknown email and a wrong password identically', async () => {
      const u = await seedUser(t);
      const wrong = await t.http().post('/api/auth/login').send({ email: u.email, password: 'not the password at all' });
      const unknown = await t
        .http()
        .post('/api/auth/login')
        .send({ email: uniqueEmail('nobody'), password: 'not the password at all' });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(wrong.body);
      expect(wrong.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });
    });

    it('refuses unknown fields such as isStaff, role or emailVerified', async () => {
      const u = await seedUser(t);
      const res = await t
        .http()
        .post('/api/auth/login')
        .send({ email: u.email, password: u.password, isStaff: true, role: 'manager', emailVerified: true })
        .expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['emailVerified', 'isStaff', 'role']);
    });

    it('validates the body with field-level details', async () => {
      const res = await t.http().post('/api/auth/login').send({ email: 'not-an-email' }).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
      expect(res.body.details).toEqual(
        expect.arrayContaining([{ field: 'email', message: 'email must be an email address' }, expect.objectContaining({ field: 'password' })]),
      );
    });

    it('tells an unverified self-registered account to verify, only after a correct password', async () => {
      const u = await seedUser(t, { verified: false });
      await t.http().post('/api/auth/login').send({ email: u.email, password: 'wrong password here' }).expect(401);
      const res = await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(403);
      expect(res.body.code).toBe('EMAIL_NOT_VERIFIED');
    });

    it('rehashes a password stored with weaker parameters at the next login', async () => {
      const argon2 = await import('argon2');
      const u = await seedUser(t);
      const weak = await argon2.hash(u.password, { type: argon2.argon2id, memoryCost: 8192, timeCost: 1, parallelism: 1 });
      await t.dataSource.getRepository(User).update({ id: u.id }, { passwordHash: weak });
      await login(t, u.email, u.password);
      const row = await t.dataSource.getRepository(User).createQueryBuilder('u').addSelect('u.passwordHash').where('u.id = :id', { id: u.id }).getOneOrFail();
      const params = row.passwordHash!.split('$')[3].split(',').sort();
      expect(row.passwordHash!.startsWith('$argon2id$v=19$')).toBe(true);
      expect(params).toEqual(['m=19456', 'p=1', 't=2']);
      await login(t, u.email, u.password);
    });
  });

  describe('access tokens', () => {
    let u: Awaited<ReturnType<typeof signedIn>>;
    beforeAll(async () => {
      u = await signedIn(t);
    });
    const claims = () => ({
      sub: u.id,
      typ: 'access',
      ver: 0,
      iss: 'oktonine',
      aud: 'oktonine-api',
      iat: Math.floor(Date.now() / 1000),
      exp: Math.floor(Date.now() / 1000) + 600,
    });

    it('accepts a genuine token', async () => {
      await me(u.token).expect(200);
      await me(signHs256(claims(), t.env.JWT_SECRET)).expect(200);
    });

    it('refuses a missing or malformed Authorization header', async () => {
      const res = await t.http().get('/api/me').expect(401);
      expect(res.body).toEqual({ statusCode: 401, code: 'UNAUTHORIZED', message: expect.any(String) });
      await t.http().get('/api/me').set('Authorization', 'Bearer not.a.jwt').expect(401);
    });

    it('refuses alg:none', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`;
      await me(token).expect(401);
    });

    it('refuses an expired token', async () => {
      const past = Math.floor(Date.now() / 1000) - 3600;
      const res = await me(signHs256({ ...claims(), iat: past - 900, exp: past }, t.env.JWT_SECRET)).expect(401);
      expect(res.body.code).toBe('TOKEN_EXPIRED');
    });

    it('refuses a token without exp', async () => {
      const { exp: _exp, ...noExp } = claims();
      await me(signHs256(noExp, t.env.JWT_SECRET)).expect(401);
    });

    it('refuses a token signed with another secret, a tampered payload, another type or audience', async () => {
      await me(signHs256(claims(), 'x'.repeat(64))).expect(401);
      const [h, , s] = u.token.split('.');
      await me(`${h}.${b64({ ...claims(), sub: 'someone-else' })}.${s}`).expect(401);
      await me(signHs256({ ...claims(), typ: 'refresh' }, t.env.JWT_SECRET)).expect(401);
      await me(signHs256({ ...claims(), aud: 'another-api' }, t.env.JWT_SECRET)).expect(401);
      await me(signHs256({ ...claims(), iss: 'someone' }, t.env.JWT_SECRET)).expect(401);
      await me(signHs256(claims(), t.env.JWT_SECRET, { alg: 'HS512', typ: 'JWT' })).expect(401);
    });

    it('reads rights from the database on every request: staff removed refuses the next request', async () => {
      const staff = await signedIn(t, { isStaff: true });
      await t.http().get('/api/admin/audit').set('Authorization', `Bearer ${staff.token}`).expect(200);
      await t.dataSource.getRepository(User).update({ id: staff.id }, { isStaff: false });
      const res = await t.http().get('/api/admin/audit').set('Authorization', `Bearer ${staff.token}`).expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
    });

    it('refuses the token of a deleted account', async () => {
      const gone = await signedIn(t);
      await t.dataSource.getRepository(User).delete({ id: gone.id });
      await me(gone.token).expect(401);
    });
  });

  describe('refresh tokens', () => {
    it('rotates: the old refresh token is spent, the new one works', async () => {
      const u = await seedUser(t);
      const first = await login(t, u.email, u.password);
      const second = await t.http().post('/api/auth/refresh').send({ refreshToken: first.refreshToken }).expect(200);
      expect(second.body.refreshToken).not.toBe(first.refreshToken);
      await me(second.body.accessToken).expect(200);
      const third = await t.http().post('/api/auth/refresh').send({ refreshToken: second.body.refreshToken }).expect(200);
      expect(third.body.accessToken).toBeTruthy();
    });

    it('reuse of a spent token revokes the whole family, not other sessions', async () => {
      const u = await seedUser(t);
      const a = await login(t, u.email, u.password);
      const other = await login(t, u.email, u.password);
      const a2 = await t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(200);
      const reuse = await t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
      expect(reuse.body.code).toBe('INVALID_REFRESH_TOKEN');
      // The legitimate successor was revoked with its family.
      await t.http().post('/api/auth/refresh').send({ refreshToken: a2.body.refreshToken }).expect(401);
      // Another login (another family) is untouched.
      await t.http().post('/api/auth/refresh').send({ refreshToken: other.refreshToken }).expect(200);
      const audit = await t.dataSource.getRepository(AuditEntry).findBy({ action: 'auth.refresh_reuse', targetId: u.id });
      expect(audit).toHaveLength(1);
    });

    it('of two concurrent uses of one token, at most one succeeds', async () => {
      const u = await seedUser(t);
      const a = await login(t, u.email, u.password);
      const results = await Promise.all([1, 2, 3].map(() => t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken })));
      expect(results.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    });

    it('expires after 30 days', async () => {
      const u = await seedUser(t);
      const a = await login(t, u.email, u.password);
      clock.advance(30 * 24 * 3600 * 1000 + 1000);
      await t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
    });

    it('logout ends the session; an unknown token still answers 204', async () => {
      const u = await seedUser(t);
      const a = await login(t, u.email, u.password);
      await t.http().post('/api/auth/logout').send({ refreshToken: a.refreshToken }).expect(204);
      await t.http().post('/api/auth/refresh').send({ refreshToken: a.refreshToken }).expect(401);
      await t.http().post('/api/auth/logout').send({ refreshToken: 'never-issued-token-value' }).expect(204);
    });
  });

  describe('password reset', () => {
    it('sends a link built from APP_URL whatever the Host header, single use, and ends every session', async () => {
      const u = await seedUser(t);
      const session = await login(t, u.email, u.password);
      await t
        .http()
        .post('/api/auth/password/forgot')
        .set('Host', 'evil.test')
        .set('X-Forwarded-Host', 'evil.test')
        .send({ email: u.email })
        .expect(202, { status: 'accepted' });
      const mail = await t.mail.waitFor({ to: u.email, subject: 'Reset your Oktonine password' });
      const link = linkIn(mail, `${TEST_APP_URL}/reset-password?token=`);
      expect(mail.text).not.toContain('evil.test');
      expect(mail.html).not.toContain('evil.test');
      const token = link.searchParams.get('token')!;
      expect(mail.html).toContain(token);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const newPassword = 'a brand new passphrase';
      await t.http().post('/api/auth/password/reset').send({ token, password: newPassword }).expect(204);
      // Single use.
      const again = await t.http().post('/api/auth/password/reset').send({ token, password: 'yet another passphrase' }).expect(401);
      expect(again.body.code).toBe('INVALID_TOKEN');
      // Old password gone, new one works; old sessions are over.
      await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(401);
      await login(t, u.email, newPassword);
      await me(session.accessToken).expect(401);
      await t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(401);
    });

    it('stores only a hash of the token', async () => {
      const u = await seedUser(t);
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const mail = await t.mail.waitFor({ to: u.email });
      const token = linkIn(mail, TEST_APP_URL).searchParams.get('token')!;
      const rows: Array<{ tokenHash: string }> = await t.dataSource.query('SELECT tokenHash FROM one_time_tokens WHERE userId = ?', [u.id]);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((r) => r.tokenHash)).not.toContain(token);
      expect(rows[0].tokenHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('expires after one hour', async () => {
      const u = await seedUser(t);
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      clock.advance(61 * 60 * 1000);
      const res = await t.http().post('/api/auth/password/reset').send({ token, password: 'a brand new passphrase' }).expect(401);
      expect(res.body.code).toBe('INVALID_TOKEN');
    });

    it('a newer link spends the older one', async () => {
      const u = await seedUser(t);
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const first = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      await waitForCount(() => t.mail.find({ to: u.email }).length, 2);
      const second = linkIn(t.mail.find({ to: u.email })[1], TEST_APP_URL).searchParams.get('token')!;
      await t.http().post('/api/auth/password/reset').send({ token: first, password: 'a brand new passphrase' }).expect(401);
      await t.http().post('/api/auth/password/reset').send({ token: second, password: 'a brand new passphrase' }).expect(204);
    });

    it('refuses a weak password without spending the link', async () => {
      const u = await seedUser(t);
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      for (const weak of ['short', 'password1', u.email]) {
        const res = await t.http().post('/api/auth/password/reset').send({ token, password: weak }).expect(400);
        expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'password' }] });
      }
      await t.http().post('/api/auth/password/reset').send({ token, password: 'a brand new passphrase' }).expect(204);
    });

    it('answers 202 for an unknown email and sends nothing', async () => {
      const ghost = uniqueEmail('ghost');
      await t.http().post('/api/auth/password/forgot').send({ email: ghost }).expect(202, { status: 'accepted' });
      await t.idle();
      t.mail.expectNone({ to: ghost });
    });

    it('keeps raw tokens out of job payloads in Redis and out of the mail log', async () => {
      const u = await seedUser(t);
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      await t.idle();
      const [logged] = await t.dataSource.query('SELECT * FROM mail_log WHERE userId = ? AND template = ?', [u.id, 'reset-password']);
      expect(logged).toMatchObject({ status: 'sent', recipient: u.email });
      expect(JSON.stringify(logged)).not.toContain(token);
      const redis = new Redis(TEST_REDIS_URL);
      try {
        const payloads: Record<string, string[]> = {};
        for (const queue of ['mail.send', 'auth.account-email']) {
          for (const key of (await redis.keys(`${t.env.QUEUE_PREFIX}:${queue}:*`)).filter((k) => /:[^:]+$/.test(k))) {
            if ((await redis.type(key)) !== 'hash') continue;
            const data = (await redis.hget(key, 'data')) ?? '';
            expect(data).not.toContain(token);
            payloads[queue] = Object.keys(JSON.parse(data || '{}')).sort();
          }
        }
        expect(payloads).toEqual({ 'mail.send': ['mailId'], 'auth.account-email': ['ip', 'kind', 'requestId', 'userId'] });
      } finally {
        redis.disconnect();
      }
    });
  });

  describe('email verification', () => {
    it('verifies with the link from the email, once; then login works', async () => {
      const u = await seedUser(t, { verified: false });
      await t.http().post('/api/auth/verify-email/resend').send({ email: u.email }).expect(202);
      const mail = await t.mail.waitFor({ to: u.email, subject: 'Confirm your email address for Oktonine' });
      const token = linkIn(mail, `${TEST_APP_URL}/verify-email?token=`).searchParams.get('token')!;
      await t.http().post('/api/auth/verify-email').send({ token }).expect(204);
      await t.http().post('/api/auth/verify-email').send({ token }).expect(401);
      await login(t, u.email, u.password);
    });

    it('verification links expire after 24 hours', async () => {
      const u = await seedUser(t, { verified: false });
      await t.http().post('/api/auth/verify-email/resend').send({ email: u.email }).expect(202);
      const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      clock.advance(24 * 3600 * 1000 + 1000);
      await t.http().post('/api/auth/verify-email').send({ token }).expect(401);
    });

    it('a reset token cannot verify an email, nor the reverse', async () => {
      const u = await seedUser(t, { verified: false });
      await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
      const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
      await t.http().post('/api/auth/verify-email').send({ token }).expect(401);
    });

    it('resend answers 202 for unknown and already verified accounts without sending', async () => {
      const verified = await seedUser(t);
      const ghost = uniqueEmail('ghost');
      await t.http().post('/api/auth/verify-email/resend').send({ email: verified.email }).expect(202);
      await t.http().post('/api/auth/verify-email/resend').send({ email: ghost }).expect(202);
      await t.idle();
      t.mail.expectNone({ to: verified.email });
      t.mail.expectNone({ to: ghost });
    });
  });

  describe('changing the password', () => {
    it('requires the current password, applies the policy, and ends older sessions at once', async () => {
      const u = await seedUser(t);
      const a = await login(t, u.email, u.password);
      const other = await login(t, u.email, u.password);
      const bad = await t
        .http()
        .post('/api/me/password')
        .set('Authorization', `Bearer ${a.accessToken}`)
        .send({ currentPassword: 'nope nope nope', newPassword: 'another fine passphrase' })
        .expect(400);
      expect(bad.body.details[0].field).toBe('currentPassword');
      const weak = await t
        .http()
        .post('/api/me/password')
        .set('Authorization', `Bearer ${a.accessToken}`)
        .send({ currentPassword: u.password, newPassword: 'qwerty123' })
        .expect(400);
      expect(weak.body.details[0].field).toBe('newPassword');
      const ok = await t
        .http()
        .post('/api/me/password')
        .set('Authorization', `Bearer ${a.accessToken}`)
        .send({ currentPassword: u.password, newPassword: 'another fine passphrase' })
        .expect(200);
      await me(a.accessToken).expect(401);
      await me(other.accessToken).expect(401);
      await t.http().post('/api/auth/refresh').send({ refreshToken: other.refreshToken }).expect(401);
      await me(ok.body.accessToken).expect(200);
      await login(t, u.email, 'another fine passphrase');
    });
  });

  describe('brute force', () => {
    it('locks the account after 10 failures, even under 50 parallel attempts, then unlocks after 15 minutes', async () => {
      const u = await seedUser(t);
      const attempts = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t
            .http()
            .post('/api/auth/login')
            .send({ email: u.email, password: `wrong password ${i}` }),
        ),
      );
      expect(attempts.every((r) => r.status === 401 && r.body.code === 'INVALID_CREDENTIALS')).toBe(true);
      // Only 10 passwords were ever checked; the other 40 were refused as locked.
      const repo = t.dataSource.getRepository(AuditEntry);
      expect(await repo.countBy({ action: 'auth.login_failed', targetId: u.id })).toBe(10);
      expect(await repo.countBy({ action: 'auth.login_locked', targetId: u.id })).toBe(40);

      // The correct password is refused too, with the same answer.
      const locked = await t.http().post('/api/auth/login').send({ email: u.email, password: u.password }).expect(401);
      expect(locked.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Invalid email or password' });

      clock.advance(15 * 60 * 1000 + 1000);
      await login(t, u.email, u.password);
    });

    it('a success resets the run of failures', async () => {
      const u = await seedUser(t);
      for (let i = 0; i < 9; i++) await t.http().post('/api/auth/login').send({ email: u.email, password: 'wrong password' }).expect(401);
      await login(t, u.email, u.password);
      for (let i = 0; i < 9; i++) await t.http().post('/api/auth/login').send({ email: u.email, password: 'wrong password' }).expect(401);
      await login(t, u.email, u.password);
    });
  });

  describe('audit', () => {
    it('records security events, readable by staff with filters and pages; not by others', async () => {
      const staff = await signedIn(t, { isStaff: true });
      const u = await seedUser(t);
      await t.http().post('/api/auth/login').send({ email: u.email, password: 'wrong password' }).expect(401);
      await login(t, u.email, u.password);
      const auth = { Authorization: `Bearer ${staff.token}` };
      const res = await t.http().get('/api/admin/audit').query({ targetId: u.id }).set(auth).expect(200);
      expect(res.body.items.map((e: { action: string }) => e.action)).toEqual(['auth.login_ok', 'auth.login_failed']);
      expect(res.body.items[0]).toMatchObject({ actorId: u.id, targetType: 'user', ip: expect.stringMatching(/127\.0\.0\.1/) });

      const page1 = await t.http().get('/api/admin/audit').query({ action: 'auth.', limit: 2 }).set(auth).expect(200);
      expect(page1.body.items).toHaveLength(2);
      const page2 = await t.http().get('/api/admin/audit').query({ action: 'auth.', limit: 2, cursor: page1.body.nextCursor }).set(auth).expect(200);
      const ids = new Set([...page1.body.items, ...page2.body.items].map((e: { id: string }) => e.id));
      expect(ids.size).toBe(page1.body.items.length + page2.body.items.length);

      await t.http().get('/api/admin/audit').query({ cursor: 'garbage' }).set(auth).expect(400);
      const user = await signedIn(t);
      await t.http().get('/api/admin/audit').set('Authorization', `Bearer ${user.token}`).expect(403);
    });
  });
});

async function waitForCount(fn: () => number, n: number, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (fn() < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  expect(fn()).toBeGreaterThanOrEqual(n);
}

describe('Per-address throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { AUTH_THROTTLE_LIMIT: '3', AUTH_THROTTLE_TTL: '60' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 with Retry-After past the limit', async () => {
    const email = uniqueEmail();
    for (let i = 0; i < 3; i++) await t.http().post('/api/auth/password/forgot').send({ email }).expect(202);
    const res = await t.http().post('/api/auth/password/forgot').send({ email }).expect(429);
    expect(res.body).toEqual({ statusCode: 429, code: 'TOO_MANY_REQUESTS', message: 'Too many requests; try again after the Retry-After delay (seconds)' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // Non-auth routes are not throttled by it.
    await t.http().get('/health').expect(200);
  });
});

describe('Staff bootstrap', () => {
  let t: TestApp;
  const email = uniqueEmail('ops');
  beforeAll(async () => {
    t = await createTestApp({ env: { BOOTSTRAP_STAFF_EMAIL: email.toUpperCase(), BOOTSTRAP_STAFF_PASSWORD: STRONG_PASSWORD } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates the first staff account at start, once', async () => {
    const session = await login(t, email, STRONG_PASSWORD);
    const profile = await t.http().get('/api/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    expect(profile.body).toMatchObject({ email, isStaff: true, emailVerified: true });
    // Later starts (several instances at once included) create nobody.
    await Promise.all([1, 2, 3].map(() => t.get(StaffService).onApplicationBootstrap()));
    expect(await t.dataSource.getRepository(User).countBy({ isStaff: true })).toBe(1);
    const entries = await t.dataSource.getRepository(AuditEntry).findBy({ action: 'staff.created' });
    expect(entries).toHaveLength(1);
    // A start that finds the account already staff did nothing, and says so (not "promoted").
    await expect(t.get(StaffService).createOrPromote(email, null, 'test')).resolves.toEqual({ id: profile.body.id, outcome: 'unchanged' });
    expect(await t.dataSource.getRepository(AuditEntry).countBy({ action: 'staff.promoted' })).toBe(0);
  });
});

const METRICS_TOKEN = 'metrics-token-for-admission-0123456789';

describe('Sign-in admission (SIGN_IN_CONCURRENCY)', () => {
  let t: TestApp;
  let base: string;
  // The real password check, held or counted: how many sign-ins are past the line at once.
  let active = 0;
  let most = 0;
  let checks = 0;
  let hold: Promise<void> | null = null;

  beforeAll(async () => {
    t = await createTestApp({ listen: true, env: { SIGN_IN_CONCURRENCY: '2', METRICS_TOKEN } });
    const address = t.app.getHttpServer().address() as { port: number };
    base = `http://127.0.0.1:${address.port}`;
    const passwords = t.app.get(PasswordService);
    const verify = passwords.verify.bind(passwords);
    passwords.verify = async (hash, password) => {
      active++;
      checks++;
      most = Math.max(most, active);
      try {
        if (hold) await hold;
        return await verify(hash, password);
      } finally {
        active--;
      }
    };
  });
  afterAll(async () => {
    await t?.close();
  });
  beforeEach(() => {
    most = 0;
    checks = 0;
  });

  const waiting = async () => {
    const text = await (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return Number(/^oktonine_sign_ins_waiting (\d+)$/m.exec(text)?.[1]);
  };

  const signIn = (u: { email: string; password: string }, signal?: AbortSignal) =>
    fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(u), signal });

  it('handles at most that many sign-ins at once; the others wait their turn and succeed', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => seedUser(t)));
    const answers = await Promise.all(users.map((u) => signIn({ email: u.email, password: u.password })));
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
    expect(checks).toBe(8);
    expect(most).toBe(2);
  });

  it('drops a sign-in whose client left while it waited, and its place goes to the next', async () => {
    const [a, b, gone, next] = await Promise.all(Array.from({ length: 4 }, () => seedUser(t)));
    let release!: () => void;
    hold = new Promise((resolve) => (release = resolve));
    try {
      const first = [signIn({ email: a.email, password: a.password }), signIn({ email: b.email, password: b.password })];
      await until(
        async () => active,
        (n) => n === 2,
        'password checks under way',
      );
      const leaving = new AbortController();
      const left = signIn({ email: gone.email, password: gone.password }, leaving.signal).catch((e: Error) => e);
      await until(waiting, (n) => n === 1, 'sign-ins waiting');
      const last = signIn({ email: next.email, password: next.password });
      await until(waiting, (n) => n === 2, 'sign-ins waiting');
      leaving.abort();
      expect(((await left) as Error).name).toBe('AbortError');
      hold = null;
      release();
      expect((await Promise.all([...first, last])).map((r) => r.status)).toEqual([200, 200, 200]);
    } finally {
      hold = null;
      release();
    }
    // The client that left never had its password checked.
    expect(checks).toBe(3);
    expect(most).toBe(2);
  });
});
