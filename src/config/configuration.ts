import { createSecretKey } from 'node:crypto';
import { ConfigType, registerAs } from '@nestjs/config';
import { EnvConfig, loadEnv } from './env';

/**
 * One namespace per concern, each a slice of the environment parsed once per
 * boot: the entry points call `loadEnv()` once and hand the result to
 * `AppModule.forRoot(env)`, which registers `configFor(env)`. The constants
 * below are the injection keys and types (`@Inject(mailConfig.KEY)`,
 * `ConfigType<typeof mailConfig>`).
 */
function namespace<T extends Record<string, unknown>>(name: string, pick: (env: EnvConfig) => T) {
  // Used only when a namespace is loaded outside AppModule.forRoot (never by the app).
  return Object.assign(
    registerAs<T>(name, () => pick(loadEnv())),
    { namespace: name, pick },
  );
}

export const appConfig = namespace('app', (env) => ({
  nodeEnv: env.nodeEnv,
  port: env.port,
  appUrl: env.appUrl,
  publicUrl: env.publicUrl,
  corsOrigins: env.corsOrigins,
  trustProxy: env.trustProxy,
  logLevel: env.logLevel,
}));

export const databaseConfig = namespace('database', (env) => ({ ...env.database }));

export const jobsConfig = namespace('jobs', (env) => ({
  redisUrl: env.redisUrl,
  prefix: env.queuePrefix,
  runWorkers: env.runWorkers,
  validationDigestEveryMs: env.validationDigestEveryMs,
  lockMs: env.jobLockMs,
  backoffMs: env.jobBackoffMs,
  sweepEveryMs: env.jobSweepEveryMs,
  sweepGraceMs: env.jobSweepGraceMs,
  drainMs: env.shutdownDrainMs,
}));

export const mailConfig = namespace('mail', (env) => ({ smtpUrl: env.smtpUrl, from: env.mailFrom, dir: env.mailDir, appUrl: env.appUrl }));

export const authConfig = namespace('auth', (env) => ({
  /**
   * JWT_SECRET as a KeyObject, made once. Given a string, jsonwebtoken first tries
   * to parse it as a PEM key on every sign and verify (≈ 1 ms of the event loop
   * each, an OpenSSL error thrown and caught) before it falls back to a secret key.
   */
  jwtKey: createSecretKey(Buffer.from(env.jwtSecret, 'utf8')),
  jwtSecretGenerated: env.jwtSecretGenerated,
  bootstrapStaff: env.bootstrapStaff,
  throttleLimit: env.authThrottleLimit,
  throttleTtlSeconds: env.authThrottleTtlSeconds,
  signInConcurrency: env.signInConcurrency,
  redisUrl: env.redisUrl,
  redisPrefix: env.queuePrefix,
}));

export const importsConfig = namespace('imports', (env) => ({
  maxBytes: env.importMaxBytes,
  maxRows: env.importMaxRows,
  chunkRows: env.importChunkRows,
  retentionDays: env.importRetentionDays,
  retentionEveryMs: env.importRetentionEveryMs,
}));

export const scimConfig = namespace('scim', (env) => ({ throttleLimit: env.scimThrottleLimit, throttleTtlSeconds: env.scimThrottleTtlSeconds }));

export const ssoConfig = namespace('sso', (env) => ({ secretKey: env.ssoSecretKey, publicUrl: env.publicUrl }));

export const opsConfig = namespace('ops', (env) => ({ metricsToken: env.metricsToken, metricsPort: env.metricsPort }));

const NAMESPACES = [appConfig, databaseConfig, jobsConfig, mailConfig, authConfig, importsConfig, scimConfig, ssoConfig, opsConfig];

/** The namespaces of one boot, computed from its parsed environment. */
export function configFor(env: EnvConfig) {
  return NAMESPACES.map((ns) => registerAs(ns.namespace, () => ns.pick(env) as Record<string, unknown>));
}

export type AppConfig = ConfigType<typeof appConfig>;
export type DatabaseConfigType = ConfigType<typeof databaseConfig>;
export type JobsConfig = ConfigType<typeof jobsConfig>;
export type MailConfig = ConfigType<typeof mailConfig>;
export type AuthConfig = ConfigType<typeof authConfig>;
export type ImportsConfig = ConfigType<typeof importsConfig>;
export type ScimConfig = ConfigType<typeof scimConfig>;
export type SsoConfig = ConfigType<typeof ssoConfig>;
export type OpsConfig = ConfigType<typeof opsConfig>;
