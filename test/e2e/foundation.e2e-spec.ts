import Bull from 'bull';
import { DataSource } from 'typeorm';
import { MailService } from '../../src/mail/mail.service';
import { TEST_MYSQL_URL, TEST_REDIS_URL } from '../support/infra';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { until } from '../support/wait';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../../src/app.module';
import { loadEnv } from '../../src/config/env';
import { INestApplicationContext } from '@nestjs/common';

describe('Foundation (MariaDB, Redis, SMTP)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers liveness and readiness with both dependencies up', async () => {
    await t.http().get('/health').expect(200, { status: 'ok' });
    const res = await t.http().get('/health/ready').expect(200);
    expect(res.body).toEqual({ status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' } } });
  });

  it('ran the migrations on MariaDB at start', async () => {
    const tables = await t.dataSource.query(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name`);
    expect(tables.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining([
        'users',
        'institutes',
        'companies',
        'memberships',
        'company_affiliations',
        'one_time_tokens',
        'refresh_tokens',
        'notifications',
        'audit_entries',
        'import_batches',
        'migrations',
      ]),
    );
  });

  it('gives an unknown route a 404 in the contract shape', async () => {
    const res = await t.http().get('/api/does-not-exist').expect(404);
    expect(res.body).toEqual({ statusCode: 404, code: 'ROUTE_NOT_FOUND', message: expect.any(String) });
  });

  it('answers malformed JSON with 400 MALFORMED_JSON and no parser internals', async () => {
    const res = await t.http().post('/api/anything').set('Content-Type', 'application/json').send('{"email": ').expect(400);
    expect(res.body).toEqual({ statusCode: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' });
  });

  it('serves Swagger UI and an OpenAPI document with bearer auth declared', async () => {
    await t.http().get('/docs').expect(200).expect('Content-Type', /html/);
    const doc = await t.http().get('/docs-json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health', '/health/ready']));
  });

  it('documents every route of the API contract in /docs-json', async () => {
    const doc = await t.http().get('/docs-json').expect(200);
    const documented = new Set(
      Object.entries(doc.body.paths as Record<string, object>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const contract = [
      'POST /api/auth/register/teacher',
      'POST /api/auth/register/professional',
      'POST /api/auth/verify-email',
      'POST /api/auth/verify-email/resend',
      'POST /api/auth/login',
      'POST /api/auth/refresh',
      'POST /api/auth/logout',
      'POST /api/auth/password/forgot',
      'POST /api/auth/password/reset',
      'GET /api/me',
      'GET /api/institutes',
      'POST /api/institutes',
      'GET /api/institutes/{instituteId}',
      'PATCH /api/institutes/{instituteId}',
      'POST /api/users',
      'GET /api/users/{userId}',
      'POST /api/institutes/{instituteId}/members',
      'GET /api/institutes/{instituteId}/members',
      'PATCH /api/institutes/{instituteId}/members/{userId}',
      'DELETE /api/institutes/{instituteId}/members/{userId}',
      'POST /api/institutes/{instituteId}/members/{userId}/activate',
      'POST /api/institutes/{instituteId}/members/{userId}/reject',
      'GET /api/institutes/{instituteId}/imports/template',
      'POST /api/institutes/{instituteId}/imports',
      'GET /api/institutes/{instituteId}/imports',
      'GET /api/institutes/{instituteId}/imports/{importId}',
      'GET /api/institutes/{instituteId}/imports/{importId}/report',
      'GET /api/companies',
      'POST /api/companies',
      'PATCH /api/companies/{companyId}',
      'GET /api/admin/professionals',
      'POST /api/admin/professionals/{userId}/approve',
      'POST /api/admin/professionals/{userId}/reject',
      'GET /api/notifications',
      'POST /api/notifications/{notificationId}/read',
      'GET /api/users',
      'GET /api/admin/institutes',
      'GET /api/admin/staff',
      'POST /api/admin/staff',
      'DELETE /api/admin/staff/{userId}',
      'POST /api/admin/users/{userId}/disable',
      'POST /api/admin/users/{userId}/enable',
      'POST /api/institutes/{instituteId}/members/{userId}/resend-invitation',
      'POST /api/institutes/{instituteId}/members/bulk',
      'GET /api/me/export',
      'DELETE /api/admin/users/{userId}',
      'POST /api/auth/register/institute',
      'GET /api/admin/institute-requests',
      'POST /api/admin/institute-requests/{requestId}/approve',
      'POST /api/admin/institute-requests/{requestId}/reject',
      'GET /health',
      'GET /health/ready',
    ];
    expect(contract.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('sets security headers and a request id', async () => {
    const res = await t.http().get('/health').set('X-Request-Id', 'req-12345678').expect(200);
    expect(res.headers['x-request-id']).toBe('req-12345678');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('delivers a mail job through Bull to the SMTP server, with an HTML and a text part', async () => {
    await t.get(MailService).send({ to: 'Someone@Example.org', template: 'test-message', context: { name: 'Ada' } });
    const mail = await t.mail.waitFor({ to: 'someone@example.org', subject: 'Oktonine: test message' });
    expect(mail.text).toContain('Hello Ada');
    expect(mail.html).toContain('<p>Hello Ada,</p>');
    expect(mail.from).toContain('no-reply@oktonine.test');
  });

  it('renders the French template for a French locale', async () => {
    await t.get(MailService).send({ to: 'fr@example.org', template: 'test-message', locale: 'fr-FR', context: { name: 'Zoé' } });
    const mail = await t.mail.waitFor({ to: 'fr@example.org' });
    expect(mail.subject).toBe('Oktonine : message de test');
    expect(mail.text).toContain('Bonjour Zoé');
  });
});

describe('API and worker as separate processes over one Redis', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    api = await createTestApp({ env: { RUN_WORKERS: 'false' } });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  it('the API only enqueues; a worker context consumes the job and sends the mail', async () => {
    await api.get(MailService).send({ to: 'queued@example.org', template: 'test-message', context: { name: 'Q' } });
    const queue = new Bull('mail.send', TEST_REDIS_URL, { prefix: api.env.QUEUE_PREFIX });
    try {
      // The job waits in Redis, and no process consumes the queue: the API registered no worker.
      expect(await queue.getWaitingCount()).toBe(1);
      expect(await queue.getWorkers()).toEqual([]);
      expect(api.mail.find({ to: 'queued@example.org' })).toEqual([]);

      process.env.RUN_WORKERS = 'true';
      worker = await NestFactory.createApplicationContext(AppModule.forRoot(loadEnv()), { logger: false });
      await worker.init();
      const mail = await api.mail.waitFor({ to: 'queued@example.org' });
      expect(mail.text).toContain('Hello Q');
      expect(await queue.getWorkers()).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });
});

describe('Readiness when a dependency goes away', () => {
  let t: TestApp;
  let dbProxy: TcpProxy;
  let redisProxy: TcpProxy;

  beforeAll(async () => {
    const mysqlUrl = new URL(TEST_MYSQL_URL);
    const redisUrl = new URL(TEST_REDIS_URL);
    dbProxy = await new TcpProxy(mysqlUrl.hostname, Number(mysqlUrl.port || 3306)).start();
    redisProxy = await new TcpProxy(redisUrl.hostname, Number(redisUrl.port || 6379)).start();
    // Create the database directly, then point the app at it through the proxies.
    const base = await createTestApp();
    const dbName = base.env.DATABASE_URL.split('/').pop()!;
    const proxiedDb = `mysql://${mysqlUrl.username || 'root'}${mysqlUrl.password ? ':' + mysqlUrl.password : ''}@127.0.0.1:${dbProxy.port}/${dbName}`;
    t = await createTestApp({ shareWith: base, env: { DATABASE_URL: proxiedDb, REDIS_URL: `redis://127.0.0.1:${redisProxy.port}` } });
    // Closing `t` must also drop the base's database: hand the base's cleanup to it.
    const closeT = t.close.bind(t);
    t.close = async () => {
      await closeT();
      await base.close();
    };
  });
  afterAll(async () => {
    await t?.close();
    await dbProxy?.stop();
    await redisProxy?.stop();
  });

  const ready = () => t.http().get('/health/ready');

  it('answers 503 naming the database while it is unreachable, then recovers', async () => {
    await ready().expect(200);
    dbProxy.cut();
    const down = await until(
      () => ready(),
      (r) => r.status === 503,
      'readiness while the database is cut',
      20000,
    );
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'NOT_READY', details: { database: { status: 'down' }, redis: { status: 'up' } } });
    expect(down.body.message).toContain('database');
    dbProxy.restore();
    const up = await until(
      () => ready(),
      (r) => r.status === 200,
      'readiness after the database came back',
      20000,
    );
    expect(up.status).toBe(200);
  });

  it('answers 503 naming Redis while it is unreachable, then recovers', async () => {
    redisProxy.cut();
    const down = await until(
      () => ready(),
      (r) => r.status === 503,
      'readiness while Redis is cut',
      20000,
    );
    expect(down.status).toBe(503);
    expect(down.body.details).toMatchObject({ redis: { status: 'down' }, database: { status: 'up' } });
    redisProxy.restore();
    const up = await until(
      () => ready(),
      (r) => r.status === 200,
      'readiness after Redis came back',
      30000,
    );
    expect(up.status).toBe(200);
  });
});

export { DataSource };
