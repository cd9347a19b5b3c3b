import { MailPersonalData } from './mail-personal-data';
import { MailerModule } from '@nestjs-modules/mailer';
import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailLogEntry } from './entities/mail-log-entry.entity';
import { ConfigType } from '@nestjs/config';
import { mailConfig } from '../config/configuration';
import { MailDeliveryLog } from './mail-delivery-log';
import { MailLogQueryService } from './mail-log-query.service';
import { MailRenderer } from './mail-renderer';
import { MailSender } from './mail-sender';
import { MailProcessor } from './mail.processor';
import { JobsModule } from '../jobs/jobs.module';
import { MAIL_SEND_JOB, SMTP_CONNECTIONS } from './mail.types';
import { MailService } from './mail.service';

/**
 * SMTP_URL with connection pooling on (`pool=true`, SMTP_CONNECTIONS
 * connections): a new SMTP session per mail (greeting, EHLO, TLS)
 * capped the welcome fan-out after an import at ≈ 30 mails/s. The URL's own
 * `pool` or `maxConnections` win.
 */
export function pooledSmtpUrl(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections')) url.searchParams.set('maxConnections', String(SMTP_CONNECTIONS));
  return url.toString();
}

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([MailLogEntry]),
    JobsModule.forFeature(MAIL_SEND_JOB),
    MailerModule.forRootAsync({
      inject: [mailConfig.KEY],
      useFactory: (config: ConfigType<typeof mailConfig>) => ({
        transport: config.smtpUrl ? pooledSmtpUrl(config.smtpUrl) : { streamTransport: true, buffer: true, newline: 'unix' },
        defaults: { from: config.from },
      }),
    }),
  ],
  providers: [MailRenderer, MailSender, MailDeliveryLog, MailService, MailLogQueryService, MailProcessor, MailPersonalData],
  exports: [MailService, MailSender, MailLogQueryService],
})
export class MailModule {}
