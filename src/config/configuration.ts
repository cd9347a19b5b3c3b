import { ConfigType, registerAs } from '@nestjs/config';
import { loadEnv } from './env';

/** One namespace per concern; each reads the same validated environment. */
export const appConfig = registerAs('app', () => {
  const env = loadEnv();
  return {
    nodeEnv: env.nodeEnv,
    port: env.port,
    appUrl: env.appUrl,
    corsOrigins: env.corsOrigins,
    trustProxy: env.trustProxy,
    logLevel: env.logLevel,
  };
});

export const databaseConfig = registerAs('database', () => loadEnv().database);

export const jobsConfig = registerAs('jobs', () => {
  const env = loadEnv();
  return {
    redisUrl: env.redisUrl,
    prefix: env.queuePrefix,
    runWorkers: env.runWorkers,
    validationDigestEveryMs: env.validationDigestEveryMs,
    lockMs: env.jobLockMs,
    backoffMs: env.jobBackoffMs,
    sweepEveryMs: env.jobSweepEveryMs,
    sweepGraceMs: env.jobSweepGraceMs,
    drainMs: env.shutdownDrainMs,
  };
});

export const mailConfig = registerAs('mail', () => {
  const env = loadEnv();
  return { smtpUrl: env.smtpUrl, from: env.mailFrom, dir: env.mailDir, appUrl: env.appUrl };
});

export const authConfig = registerAs('auth', () => {
  const env = loadEnv();
  return {
    jwtSecret: env.jwtSecret,
    jwtSecretGenerated: env.jwtSecretGenerated,
    bootstrapStaff: env.bootstrapStaff,
    throttleLimit: env.authThrottleLimit,
    throttleTtlSeconds: env.authThrottleTtlSeconds,
    redisUrl: env.redisUrl,
    redisPrefix: env.queuePrefix,
  };
});

export const importsConfig = registerAs('imports', () => {
  const env = loadEnv();
  return { maxBytes: env.importMaxBytes, maxRows: env.importMaxRows, chunkRows: env.importChunkRows };
});

export const configNamespaces = [appConfig, databaseConfig, jobsConfig, mailConfig, authConfig, importsConfig];

export type AppConfig = ConfigType<typeof appConfig>;
export type DatabaseConfigType = ConfigType<typeof databaseConfig>;
export type JobsConfig = ConfigType<typeof jobsConfig>;
export type MailConfig = ConfigType<typeof mailConfig>;
export type AuthConfig = ConfigType<typeof authConfig>;
export type ImportsConfig = ConfigType<typeof importsConfig>;
