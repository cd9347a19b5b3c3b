import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureApp, openApiDocuments } from '../../src/app.setup';
import { Clock } from '../../src/common/clock';
import { loadEnv } from '../../src/config/env';
import { JobQueue } from '../../src/jobs/job-queue';
import { checkedAgent, ContractChecker } from './contract';
import { clearRedisPrefix, createTestDatabase, TEST_REDIS_URL, uniqueName } from './infra';
import { MailCatcher } from './mail-catcher';

export const TEST_APP_URL = 'http://frontend.test';

export interface TestAppOptions {
  /** Extra or overriding environment variables. */
  env?: Record<string, string | undefined>;
  /** Reuse another test app's database, Redis prefix and mail catcher (a second instance). */
  shareWith?: TestApp;
  /** Listen on a real port (for clients other than supertest): env PORT, or any free one. */
  listen?: boolean;
  /** Replaces the app's clock, to move time without sleeping. */
  clock?: Clock;
}

export interface TestApp {
  app: INestApplication;
  http: () => ReturnType<typeof request>;
  mail: MailCatcher;
  dataSource: DataSource;
  env: Record<string, string>;
  get<T>(token: abstract new (...args: never[]) => T): T;
  /** Resolves once no job is waiting, delayed or running (then assert: no fixed sleeps). */
  idle(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Boots the real AppModule through the same configureApp() as main.ts, on a
 * fresh MariaDB database (migrated at start), a Redis queue prefix of its own
 * and a real SMTP server capturing mail.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const owned: Array<() => Promise<void>> = [];
  let mail: MailCatcher;
  let env: Record<string, string>;
  if (options.shareWith) {
    mail = options.shareWith.mail;
    env = { ...options.shareWith.env };
  } else {
    mail = await new MailCatcher().start();
    owned.push(() => mail.stop());
    const db = await createTestDatabase();
    owned.push(() => db.drop());
    const prefix = uniqueName('okt_t');
    owned.push(() => clearRedisPrefix(prefix));
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      SMTP_URL: mail.url,
      APP_URL: TEST_APP_URL,
      JWT_SECRET: randomBytes(32).toString('hex'),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // Every request of a test file comes from 127.0.0.1: only the throttling test lowers this.
      AUTH_THROTTLE_LIMIT: '100000',
      MAIL_FROM: 'Oktonine Tests <no-reply@oktonine.test>',
      SSO_SECRET_KEY: randomBytes(32).toString('hex'),
    };
  }
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  applyEnv(env);

  const builder = Test.createTestingModule({ imports: [AppModule.forRoot(loadEnv())] });
  if (options.clock) builder.overrideProvider(Clock).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ bufferLogs: true });
  configureApp(app);
  await app.init();
  if (options.listen) await app.listen(Number(env.PORT ?? 0), '127.0.0.1');

  let checker: ContractChecker | undefined;
  const contract = () => (checker ??= new ContractChecker(openApiDocuments.get(app)!));
  // Under Jest the DTOs are compiled with the Swagger plugin (jest.config.js), so the document is
  // the one the app serves; bench/ runs through ts-node without it, and checks nothing.
  const checked = process.env.JEST_WORKER_ID !== undefined;
  let closed = false;
  return {
    app,
    // Every response is checked against the app's OpenAPI document (test/support/contract.ts).
    http: () => (checked ? checkedAgent(request(app.getHttpServer()), contract) : request(app.getHttpServer())),
    mail,
    dataSource: app.get(DataSource),
    env,
    get: <T>(token: abstract new (...args: never[]) => T) => app.get<T>(token),
    idle: (timeoutMs?: number) => app.get(JobQueue).idle(timeoutMs),
    close: async () => {
      if (closed) return;
      closed = true;
      const drift = options.shareWith ? [] : await memberSearchDrift(app.get(DataSource));
      await app.close();
      for (const cleanup of owned.reverse()) await cleanup().catch(() => undefined);
      if (drift.length) throw new Error(`Memberships whose search keys differ from their account's (src/memberships/member-search.ts): ${drift.join(', ')}`);
    },
  };
}

/**
 * Every suite ends by checking, on whatever its flows wrote, that each membership's
 * search keys equal its account's email and folded names: a write path that forgot
 * to copy them would make members unfindable. The ids of those that differ.
 */
async function memberSearchDrift(ds: DataSource): Promise<string[]> {
  if (!ds.isInitialized) return [];
  const rows: Array<{ id: string; keys: string[]; account: string[] }> = await ds
    .query(
      'SELECT m.id, m.searchEmail, m.searchFirstName, m.searchLastName, u.email, u.foldedFirstName, u.foldedLastName FROM memberships m INNER JOIN users u ON u.id = m.userId',
    )
    .then((found: Array<Record<string, string>>) =>
      found.map((r) => ({ id: r.id, keys: [r.searchEmail, r.searchFirstName, r.searchLastName], account: [r.email, r.foldedFirstName, r.foldedLastName] })),
    );
  return rows.filter((r) => r.keys.some((key, i) => key !== r.account[i])).map((r) => r.id);
}

const APP_ENV_KEYS = [
  'NODE_ENV',
  'PORT',
  'DATABASE_URL',
  'REDIS_URL',
  'QUEUE_PREFIX',
  'RUN_WORKERS',
  'SMTP_URL',
  'MAIL_FROM',
  'MAIL_DIR',
  'APP_URL',
  'JWT_SECRET',
  'BOOTSTRAP_STAFF_EMAIL',
  'BOOTSTRAP_STAFF_PASSWORD',
  'CORS_ORIGINS',
  'TRUST_PROXY',
  'LOG_LEVEL',
  'IMPORT_MAX_BYTES',
  'IMPORT_MAX_ROWS',
  'AUTH_THROTTLE_LIMIT',
  'AUTH_THROTTLE_TTL',
  'VALIDATION_DIGEST_EVERY_MS',
  'IMPORT_CHUNK_ROWS',
  'IMPORT_RETENTION_DAYS',
  'IMPORT_RETENTION_EVERY_MS',
  'JOB_LOCK_MS',
  'JOB_BACKOFF_MS',
  'JOB_SWEEP_EVERY_MS',
  'JOB_SWEEP_GRACE_MS',
  'SHUTDOWN_DRAIN_MS',
  'PUBLIC_URL',
  'SCIM_THROTTLE_LIMIT',
  'SCIM_THROTTLE_TTL',
  'METRICS_TOKEN',
  'METRICS_PORT',
  'SSO_SECRET_KEY',
];

/** The app reads process.env at bootstrap; every test file runs in its own process env. */
export function applyEnv(env: Record<string, string>): void {
  for (const key of APP_ENV_KEYS) delete process.env[key];
  Object.assign(process.env, env);
}
