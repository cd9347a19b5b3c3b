import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundHeapGrowth } from './common/heap';
import { loadDotEnv } from './config/dotenv';
import { ConfigError, EnvConfig, loadEnv } from './config/env';

async function bootstrap() {
  boundHeapGrowth();
  loadDotEnv();
  let env: EnvConfig;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      // One clear line, no stack: the operator needs the variable's name, nothing else.
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  // Loaded after validation so a bad value never surfaces as a stack trace from module init.
  const { NestFactory } = await import('@nestjs/core');
  const { AppModule } = await import('./app.module');
  const { configureApp } = await import('./app.setup');
  const app = await NestFactory.create(AppModule.forRoot(env), { bufferLogs: true });
  configureApp(app);
  await app.listen(env.port);
  const { port: actual } = (app.getHttpServer() as Server).address() as AddressInfo;
  app.get((await import('nestjs-pino')).Logger).log(`Listening on port ${actual}; Swagger UI at /docs`);
}

void bootstrap();
