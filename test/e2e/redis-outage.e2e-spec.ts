import { TEST_REDIS_URL } from '../support/infra';
import { seedUser, STRONG_PASSWORD } from '../support/factories';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';

/** Redis unreachable: the auth routes (throttled through Redis) answer 503 with Retry-After, never 500, and recover. */
describe('Auth routes while Redis is down', () => {
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
    t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}` } });
  });
  afterAll(async () => {
    proxy?.restore();
    await t?.close();
    await proxy?.stop();
  });

  it('login, forgot-password, resend and refresh answer 503 SERVICE_UNAVAILABLE with Retry-After, then work again', async () => {
    const user = await seedUser(t);
    const login = () => t.http().post('/api/auth/login').send({ email: user.email, password: STRONG_PASSWORD });
    await login().expect(200);

    proxy.cut();
    const down = await login();
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) });
    expect(Number(down.headers['retry-after'])).toBeGreaterThan(0);
    for (const [path, body] of [
      ['/api/auth/password/forgot', { email: user.email }],
      ['/api/auth/verify-email/resend', { email: user.email }],
      ['/api/auth/refresh', { refreshToken: 'x'.repeat(43) }],
    ] as const) {
      const res = await t.http().post(path).send(body);
      expect([path, res.status, res.body.code]).toEqual([path, 503, 'SERVICE_UNAVAILABLE']);
    }

    proxy.restore();
    const back = await until(login, (r) => r.status === 200, 'sign-in after Redis came back');
    expect(back.status).toBe(200);
  });
});

/**
 * Bull's own pause and close wait on Redis with no bound: an API or worker
 * told to stop during an outage never exited. Each app below is closed with
 * Redis cut, so this hangs past the test timeout without the bound.
 */
describe('Stopping while Redis is down', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    const redis = new URL(TEST_REDIS_URL);
    proxy = await new TcpProxy(redis.hostname, Number(redis.port || 6379)).start();
  });
  afterAll(() => proxy?.stop());

  it.each([
    ['a process that consumes the queues', 'true'],
    ['an API that only produces jobs', 'false'],
  ])(
    '%s closes',
    async (_, runWorkers) => {
      proxy.restore();
      const t = await createTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, RUN_WORKERS: runWorkers } });
      await t.http().get('/health/ready').expect(200);
      proxy.cut();
      await expect(t.close()).resolves.toBeUndefined();
    },
    30_000,
  );
});
