import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CompaniesModule } from '../companies/companies.module';
import { CompanyAffiliation } from '../companies/entities/company-affiliation.entity';
import { authConfig } from '../config/configuration';
import { Membership } from '../memberships/entities/membership.entity';
import { AccessService } from './access.service';
import { AuthMailService } from './auth-mail.service';
import { AuthController } from './auth.controller';
import { AccountEmailProcessor } from './auth.processor';
import { AuthService } from './auth.service';
import { ACCOUNT_EMAIL_JOB } from './auth.constants';
import { JobsModule } from '../jobs/jobs.module';
import { RegistrationProcessor } from './registration.processor';
import { REGISTRATION_JOB } from './registration.service';
import { EmailTokensService } from './email-tokens.service';
import { OneTimeToken } from './entities/one-time-token.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { RegistrationRequest } from './entities/registration-request.entity';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { LockoutService } from './lockout.service';
import { MeController } from './me.controller';
import { PasswordService } from './password.service';
import { RegistrationService } from './registration.service';
import { StaffService } from './staff.service';
import { TokensService } from './tokens.service';

function sharedThrottleStorage(redisUrl: string, keyPrefix: string): ThrottlerStorageRedisService {
  // Given a URL (not a client) the storage owns its connection and closes it at shutdown.
  const storage = new ThrottlerStorageRedisService(redisUrl, { keyPrefix, maxRetriesPerRequest: 1, commandTimeout: 1000 });
  // Each failed command already answers its request (503); readiness reports the outage.
  storage.redis.on('error', () => undefined);
  return storage;
}

@Module({
  imports: [
    PassportModule,
    JwtModule.registerAsync({
      inject: [authConfig.KEY],
      useFactory: (config: ConfigType<typeof authConfig>) => ({
        secret: config.jwtSecret,
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
    TypeOrmModule.forFeature([RefreshToken, OneTimeToken, RegistrationRequest, Membership, CompanyAffiliation]),
    CompaniesModule,
    JobsModule.forFeature(ACCOUNT_EMAIL_JOB, REGISTRATION_JOB),
  ],
  controllers: [AuthController, MeController],
  providers: [
    AccessService,
    AccountEmailProcessor,
    AuthMailService,
    AuthService,
    EmailTokensService,
    JwtStrategy,
    LockoutService,
    PasswordService,
    RegistrationService,
    RegistrationProcessor,
    StaffService,
    TokensService,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [AccessService, AuthMailService, PasswordService, StaffService, TokensService, EmailTokensService],
})
export class AuthModule {}
