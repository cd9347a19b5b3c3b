import { Module } from '@nestjs/common';
import { ConfigModule, ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { appConfig, configNamespaces } from './config/configuration';
import { loadEnv } from './config/env';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { UsersModule } from './users/users.module';
import { InstitutesModule } from './institutes/institutes.module';
import { MembershipsModule } from './memberships/memberships.module';
import { ImportsModule } from './imports/imports.module';
import { JobsModule } from './jobs/jobs.module';
import { MailModule } from './mail/mail.module';
import { NotificationsModule } from './notifications/notifications.module';
import { loggerParams } from './common/logging';
import { LOG_DESTINATION } from './common/log-destination';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      cache: false,
      load: configNamespaces,
      // The entry points load .env themselves (src/config/dotenv.ts), before validation.
      ignoreEnvFile: true,
      validate: (raw) => {
        loadEnv(raw as Record<string, string>);
        return raw;
      },
    }),
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: ConfigType<typeof appConfig>) => loggerParams(app.logLevel, LOG_DESTINATION.stream),
    }),
    DatabaseModule,
    CommonModule,
    JobsModule,
    MailModule,
    AuditModule,
    NotificationsModule,
    UsersModule,
    AuthModule,
    InstitutesModule,
    MembershipsModule,
    ImportsModule,
    HealthModule,
  ],
})
export class AppModule {}
