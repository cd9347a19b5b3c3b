import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { authConfig } from '../config/configuration';
import { JobsModule } from '../jobs/jobs.module';
import { AccessService } from './access.service';
import { AccountEmailProcessor } from './auth.processor';
import { ACCOUNT_EMAIL_JOB } from './auth.constants';
import { AuthMailService } from './auth-mail.service';
import { AuthController } from './auth.controller';
import { AuthService } from './auth.service';
import { EmailTokensService } from './email-tokens.service';
import { OneTimeToken } from './entities/one-time-token.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LockoutService } from './lockout.service';
import { PasswordController } from './password.controller';
import { PasswordService } from './password.service';
import { TokensService } from './tokens.service';
import { AuthPersonalData } from './auth-personal-data';

function sharedThrottleStorage(redisUrl: string, keyPrefix: string): ThrottlerStorageRedisService {
  // Given a URL (not a client) the storage owns its connection and closes it at shutdown.
  const storage = new ThrottlerStorageRedisService(redisUrl, { keyPrefix, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  // Each failed command already answers its request (503); readiness reports the outage.
  storage.redis.on('error', () => undefined);
  return storage;
}

/** Declared when this file loads, like the static modules' queues (JobsModule.forRoot runs later, at boot). */
const AUTH_QUEUES = JobsModule.forFeature(ACCOUNT_EMAIL_JOB);

export interface AuthModuleOptions {
  /** The modules that provide the ports: `AccountStore` and `InstituteAccess` (see ports.ts). */
  imports: NonNullable<ModuleMetadata['imports']>;
}

/**
 * The low layer every feature module stands on: passwords, access and refresh
 * tokens, email tokens, sign-in, refresh, reset, the global guard and `@Auth()`.
 * It imports no feature module; AppModule hands it the modules implementing
 * its ports. Global, like the guard it installs.
 */
@Module({})
export class AuthModule {
  static forRoot(options: AuthModuleOptions): DynamicModule {
    return {
      module: AuthModule,
      global: true,
      imports: [
        PassportModule,
        JwtModule.registerAsync({
          inject: [authConfig.KEY],
          useFactory: (config: ConfigType<typeof authConfig>) => ({
            secret: config.jwtKey,
            signOptions: { algorithm: 'HS256' },
            verifyOptions: { algorithms: ['HS256'] },
          }),
        }),
        ThrottlerModule.forRootAsync({
          inject: [authConfig.KEY],
          useFactory: (config: ConfigType<typeof authConfig>) => ({
            throttlers: [{ name: 'default', limit: config.throttleLimit, ttl: config.throttleTtlSeconds * 1000 }],
            // With Redis, every API replica counts in the same place. While Redis cannot be reached
            // the counter's error becomes 503 SERVICE_UNAVAILABLE with Retry-After (the error filter):
            // fail closed, since a local counter would multiply the allowance by the replica count.
            // One retry and a 1 s command timeout make that answer prompt instead of queued.
            storage: config.redisUrl ? sharedThrottleStorage(config.redisUrl, `${config.redisPrefix}:throttle:`) : undefined,
          }),
        }),
        TypeOrmModule.forFeature([RefreshToken, OneTimeToken]),
        AUTH_QUEUES,
        AuditModule,
        ...options.imports,
      ],
      controllers: [AuthController, PasswordController],
      providers: [
        AccessService,
        AccountEmailProcessor,
        AuthPersonalData,
        AuthMailService,
        AuthService,
        EmailTokensService,
        JwtStrategy,
        LockoutService,
        PasswordService,
        TokensService,
        { provide: APP_GUARD, useClass: JwtAuthGuard },
      ],
      exports: [AccessService, AuthMailService, PasswordService, TokensService],
    };
  }
}
