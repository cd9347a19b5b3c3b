import { randomBytes } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { passwordProblem } from '../common/password-policy';

/**
 * Every environment variable the service reads, parsed and validated in one
 * place. A bad value throws a ConfigError whose message is one line naming the
 * variable, so `main.ts` can print it and exit.
 */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type NodeEnv = 'development' | 'production' | 'test';

export type DatabaseConfig = { type: 'mysql'; url: string; host: string; port: number; database: string } | { type: 'sqlite'; path: string };

export interface EnvConfig {
  nodeEnv: NodeEnv;
  port: number;
  appUrl: string;
  /** The API's own external base URL (SCIM `meta.location`, SSO callbacks). */
  publicUrl: string;
  corsOrigins: string[];
  trustProxy: boolean | number | string;
  logLevel: string;
  database: DatabaseConfig;
  redisUrl: string | null;
  queuePrefix: string;
  runWorkers: boolean;
  smtpUrl: string | null;
  mailFrom: string;
  mailDir: string;
  jwtSecret: string;
  jwtSecretGenerated: boolean;
  bootstrapStaff: { email: string; password: string } | null;
  importMaxBytes: number;
  importMaxRows: number;
  importChunkRows: number;
  importRetentionDays: number;
  importRetentionEveryMs: number;
  jobLockMs: number;
  jobBackoffMs: number;
  jobSweepEveryMs: number;
  jobSweepGraceMs: number;
  shutdownDrainMs: number;
  authThrottleLimit: number;
  authThrottleTtlSeconds: number;
  signInConcurrency: number;
  validationDigestEveryMs: number;
  scimThrottleLimit: number;
  scimThrottleTtlSeconds: number;
  metricsToken: string | null;
  metricsPort: number;
  /** Encrypts identity providers' client secrets at rest; null when unset outside the embedded mode. */
  ssoSecretKey: string | null;
}

type Env = Record<string, string | undefined>;

/** Development-only key of the embedded mode (SQLite, not production): never protects a real secret. */
const EMBEDDED_SSO_SECRET_KEY = 'oktonine-embedded-development-sso-key-not-secret';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

// A development secret is generated once per process, not once per read,
// so every module of one process signs and verifies with the same key.
let generatedSecret: string | undefined;

function str(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(raw)) return true;
  if (/^(false|0|no)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.map((p) => `${p}//…`).join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got ${parsed.protocol}`);
  }
  return raw;
}

export function parseDatabaseUrl(raw: string | undefined, cwd = process.cwd()): DatabaseConfig {
  const value = raw?.trim() || 'sqlite:var/oktonine.sqlite';
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw new ConfigError('DATABASE_URL', 'must name a file after sqlite: (e.g. sqlite:var/oktonine.sqlite)');
    if (path === ':memory:') return { type: 'sqlite', path };
    return { type: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError('DATABASE_URL', 'must be mysql://user:pass@host:3306/db or sqlite:<path>');
  }
  if (parsed.protocol !== 'mysql:' && parsed.protocol !== 'mariadb:') {
    throw new ConfigError('DATABASE_URL', `must be mysql://… or sqlite:<path>, got ${parsed.protocol}`);
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database) throw new ConfigError('DATABASE_URL', 'must name a database (mysql://user:pass@host:3306/<db>)');
  if (!/^[A-Za-z0-9_$-]+$/.test(database)) throw new ConfigError('DATABASE_URL', `has an invalid database name "${database}"`);
  return {
    type: 'mysql',
    url: value.replace(/^mariadb:/, 'mysql:'),
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 3306,
    database,
  };
}

function trustProxy(env: Env): boolean | number | string {
  const raw = str(env, 'TRUST_PROXY');
  if (raw === undefined || /^false$/i.test(raw)) return false;
  if (/^true$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  // A comma-separated list of addresses/subnets or Express keywords (loopback, uniquelocal…).
  if (!/^[\w.:/,\s-]+$/.test(raw)) throw new ConfigError('TRUST_PROXY', `must be true, false, a hop count or a list of addresses, got "${raw}"`);
  return raw;
}

export function loadEnv(env: Env = process.env): EnvConfig {
  const nodeEnvRaw = str(env, 'NODE_ENV') ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnvRaw)) {
    throw new ConfigError('NODE_ENV', `must be development, production or test, got "${nodeEnvRaw}"`);
  }
  const nodeEnv = nodeEnvRaw as NodeEnv;

  const appUrl = (url(env, 'APP_URL', ['http:', 'https:']) ?? 'http://localhost:3000').replace(/\/+$/, '');

  const corsOrigins = (str(env, 'CORS_ORIGINS') ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === '*') continue;
    try {
      const u = new URL(origin);
      if (u.origin !== origin.replace(/\/$/, '')) throw new Error();
    } catch {
      throw new ConfigError('CORS_ORIGINS', `must be a comma-separated list of origins (https://app.example.org), got "${origin}"`);
    }
  }

  const logLevel = str(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'silent' : 'info');
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`);

  let jwtSecret = str(env, 'JWT_SECRET');
  let jwtSecretGenerated = false;
  if (jwtSecret === undefined) {
    if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET', 'is required when NODE_ENV=production');
    generatedSecret ??= randomBytes(32).toString('base64url');
    jwtSecret = generatedSecret;
    jwtSecretGenerated = true;
  } else if (jwtSecret.length < 32) {
    throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
  }

  const staffEmail = str(env, 'BOOTSTRAP_STAFF_EMAIL');
  const staffPassword = env.BOOTSTRAP_STAFF_PASSWORD;
  let bootstrapStaff: EnvConfig['bootstrapStaff'] = null;
  if (staffEmail || staffPassword) {
    if (!staffEmail) throw new ConfigError('BOOTSTRAP_STAFF_EMAIL', 'is required when BOOTSTRAP_STAFF_PASSWORD is set');
    if (!staffPassword) throw new ConfigError('BOOTSTRAP_STAFF_PASSWORD', 'is required when BOOTSTRAP_STAFF_EMAIL is set');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(staffEmail)) throw new ConfigError('BOOTSTRAP_STAFF_EMAIL', 'must be an email address');
    const weak = passwordProblem(staffPassword, staffEmail);
    if (weak) throw new ConfigError('BOOTSTRAP_STAFF_PASSWORD', weak);
    bootstrapStaff = { email: staffEmail.toLowerCase(), password: staffPassword };
  }

  const queuePrefix = str(env, 'QUEUE_PREFIX') ?? 'oktonine';
  if (!/^[\w:-]+$/.test(queuePrefix)) throw new ConfigError('QUEUE_PREFIX', 'may only contain letters, digits, _, - and :');

  const metricsToken = str(env, 'METRICS_TOKEN') ?? null;
  if (metricsToken !== null && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    throw new ConfigError('METRICS_TOKEN', 'must be 16 to 256 printable characters without spaces (e.g. `openssl rand -hex 32`)');
  }

  const mailFrom = str(env, 'MAIL_FROM') ?? 'Oktonine <no-reply@oktonine.local>';
  if (!/@/.test(mailFrom)) throw new ConfigError('MAIL_FROM', `must be an address such as "Oktonine <no-reply@example.org>"`);

  const database = parseDatabaseUrl(env.DATABASE_URL);
  let ssoSecretKey = str(env, 'SSO_SECRET_KEY') ?? null;
  if (ssoSecretKey !== null && ssoSecretKey.length < 32) throw new ConfigError('SSO_SECRET_KEY', 'must be at least 32 characters');
  // The embedded mode works out of the box; a shared database needs a real key, or SSO secrets cannot be stored.
  if (ssoSecretKey === null && nodeEnv !== 'production' && database.type === 'sqlite') ssoSecretKey = EMBEDDED_SSO_SECRET_KEY;

  return {
    nodeEnv,
    port: int(env, 'PORT', 3000, 0, 65535),
    appUrl,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${int(env, 'PORT', 3000, 0, 65535)}`).replace(/\/+$/, ''),
    corsOrigins,
    trustProxy: trustProxy(env),
    logLevel,
    database,
    redisUrl: url(env, 'REDIS_URL', ['redis:', 'rediss:']) ?? null,
    queuePrefix,
    runWorkers: bool(env, 'RUN_WORKERS', true),
    smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']) ?? null,
    mailFrom,
    mailDir: resolve(process.cwd(), str(env, 'MAIL_DIR') ?? 'var/mail'),
    jwtSecret,
    jwtSecretGenerated,
    bootstrapStaff,
    importMaxBytes: int(env, 'IMPORT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    importMaxRows: int(env, 'IMPORT_MAX_ROWS', 50_000, 1, 1_000_000),
    importChunkRows: int(env, 'IMPORT_CHUNK_ROWS', 1000, 1, 10_000),
    importRetentionDays: int(env, 'IMPORT_RETENTION_DAYS', 30, 0, 3650),
    importRetentionEveryMs: int(env, 'IMPORT_RETENTION_EVERY_MS', 3_600_000, 100, 86_400_000),
    jobLockMs: int(env, 'JOB_LOCK_MS', 30_000, 1000, 600_000),
    jobBackoffMs: int(env, 'JOB_BACKOFF_MS', 1000, 10, 600_000),
    jobSweepEveryMs: int(env, 'JOB_SWEEP_EVERY_MS', 30_000, 100, 3_600_000),
    jobSweepGraceMs: int(env, 'JOB_SWEEP_GRACE_MS', 60_000, 0, 86_400_000),
    shutdownDrainMs: int(env, 'SHUTDOWN_DRAIN_MS', 10_000, 0, 600_000),
    authThrottleLimit: int(env, 'AUTH_THROTTLE_LIMIT', 20, 1, 1_000_000),
    authThrottleTtlSeconds: int(env, 'AUTH_THROTTLE_TTL', 60, 1, 86_400),
    // As many sign-ins at once as libuv has threads to check their passwords.
    signInConcurrency: int(env, 'SIGN_IN_CONCURRENCY', Number(env.UV_THREADPOOL_SIZE) || 4, 1, 1024),
    validationDigestEveryMs: int(env, 'VALIDATION_DIGEST_EVERY_MS', 15 * 60_000, 100, 86_400_000),
    scimThrottleLimit: int(env, 'SCIM_THROTTLE_LIMIT', 600, 1, 1_000_000),
    scimThrottleTtlSeconds: int(env, 'SCIM_THROTTLE_TTL', 60, 1, 86_400),
    metricsToken,
    metricsPort: int(env, 'METRICS_PORT', 9464, 0, 65535),
    ssoSecretKey,
  };
}
