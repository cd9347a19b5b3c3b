import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { LOG_DESTINATION } from './common/log-destination';
import { loggerParams } from './common/logging';
import { CompaniesModule } from './companies/companies.module';
import { configFor, jobsConfig } from './config/configuration';
import { EnvConfig } from './config/env';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { InstitutesModule } from './institutes/institutes.module';
import { JobsModule } from './jobs/jobs.module';
import { MailModule } from './mail/mail.module';
import { MembershipsModule } from './memberships/memberships.module';
import { NotificationsModule } from './notifications/notifications.module';
import { OnboardingModule } from './onboarding/onboarding.module';
import { OpsModule } from './ops/ops.module';
import { ScimModule } from './scim/scim.module';
import { SsoModule } from './sso/sso.module';
import { UsersModule } from './users/users.module';

/**
 * The application, built for one boot from its parsed environment: the entry
 * points (and the tests) call `loadEnv()` once and pass the result here. This
 * is also where auth's ports are bound to the modules that implement them.
 */
@Module({})
export class AppModule {
  static forRoot(env: EnvConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: configFor(env) }),
        LoggerModule.forRoot(loggerParams(env.logLevel, LOG_DESTINATION.stream)),
        DatabaseModule,
        CommonModule,
        JobsModule.forRoot(jobsConfig.pick(env)),
        MailModule,
        AuthModule.forRoot({ imports: [UsersModule, MembershipsModule] }),
        UsersModule,
        InstitutesModule,
        MembershipsModule,
        CompaniesModule,
        NotificationsModule,
        OnboardingModule,
        ImportsModule,
        SsoModule,
        // Provisioning asks SSO whether an institute signs in through its identity provider.
        ScimModule.forRoot({ imports: [SsoModule] }),
        OpsModule.forRoot(env),
        HealthModule,
      ],
    };
  }
}
