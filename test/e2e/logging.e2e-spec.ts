import { Logger } from 'nestjs-pino';
import { PassThrough } from 'node:stream';
import { LOG_DESTINATION } from '../../src/common/log-destination';
import { login, seedUser } from '../support/factories';
import { linkIn } from '../support/mail-catcher';
import { createTestApp, TEST_APP_URL, TestApp } from '../support/test-app';

/** No password, token or hash may ever reach a log line. */
describe('Logs during a login / reset run', () => {
  let t: TestApp;
  let captured = '';

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk) => (captured += chunk.toString()));
    LOG_DESTINATION.stream = stream;
    t = await createTestApp({ env: { LOG_LEVEL: 'trace' } });
  });
  afterAll(async () => {
    await t?.close();
    LOG_DESTINATION.stream = undefined;
  });

  it('contain requests and events but no secret', async () => {
    const u = await seedUser(t);
    const secrets: string[] = [u.password];
    const session = await login(t, u.email, u.password);
    secrets.push(session.accessToken, session.refreshToken);
    await t.http().get('/api/me').set('Authorization', `Bearer ${session.accessToken}`).expect(200);
    await t.http().post('/api/auth/login').send({ email: u.email, password: 'a wrong guess here' }).expect(401);
    secrets.push('a wrong guess here');
    const refreshed = await t.http().post('/api/auth/refresh').send({ refreshToken: session.refreshToken }).expect(200);
    secrets.push(refreshed.body.accessToken, refreshed.body.refreshToken);
    await t.http().post('/api/auth/password/forgot').send({ email: u.email }).expect(202);
    const token = linkIn(await t.mail.waitFor({ to: u.email }), TEST_APP_URL).searchParams.get('token')!;
    secrets.push(token);
    await t.http().post('/api/auth/password/reset').send({ token, password: 'the new secret passphrase' }).expect(204);
    secrets.push('the new secret passphrase');
    // A failing query with a hash as parameter: the duplicate email insert of a second seed.
    await seedUser(t, { email: u.email }).catch(() => undefined);
    // Every job done, then a marker logged last: once it is captured, everything before it is.
    await t.idle();
    const marker = `end-of-run-${Date.now()}`;
    t.app.get(Logger).log(marker);
    for (const deadline = Date.now() + 10000; !captured.includes(marker);) {
      if (Date.now() > deadline) throw new Error('the marker never reached the log');
      await new Promise((r) => setTimeout(r, 20));
    }

    const hashes: Array<{ passwordHash: string }> = await t.dataSource.query('SELECT passwordHash FROM users WHERE id = ?', [u.id]);
    secrets.push(hashes[0].passwordHash);
    const tokenHashes: Array<{ tokenHash: string }> = await t.dataSource.query('SELECT tokenHash FROM one_time_tokens WHERE userId = ?', [u.id]);
    secrets.push(...tokenHashes.map((r) => r.tokenHash));

    expect(captured).toContain('"url":"/api/auth/login"');
    expect(captured).toContain('request completed');
    for (const secret of secrets) expect(captured).not.toContain(secret);
    expect(captured).not.toMatch(/\$argon2id\$/);
    expect(captured).not.toMatch(/Bearer\s+ey/);
  });
});
