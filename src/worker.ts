import 'reflect-metadata';
import { boundHeapGrowth } from './common/heap';
import { loadDotEnv } from './config/dotenv';
import { ConfigError, EnvConfig, loadEnv } from './config/env';

/**
 * The worker entry point: the same modules, no HTTP; consumes the queues.
 * Scale it apart from the API: any number of these over the same MySQL and Redis.
 */
async function bootstrap() {
  boundHeapGrowth();
  loadDotEnv();
  process.env.RUN_WORKERS = 'true';
  let env: EnvConfig;
  try {
    env = loadEnv();
    if (!env.redisUrl) {
      process.stderr.write('Invalid configuration: REDIS_URL is required by the worker (without it the API runs jobs in-process)\n');
      process.exit(1);
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const { NestFactory } = await import('@nestjs/core');
  const { Logger } = await import('nestjs-pino');
  const { AppModule } = await import('./app.module');
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(env), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.init();
  const { WorkerMetricsServer } = await import('./ops/metrics/worker-metrics-server');
  await app.get(WorkerMetricsServer).start();
  app.get(Logger).log('Worker started: consuming queues');
}

void bootstrap();
