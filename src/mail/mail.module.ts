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
import { MAIL_SEND_JOB } from './mail.types';
import { MailService } from './mail.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forFeature([MailLogEntry]),
    JobsModule.forFeature(MAIL_SEND_JOB),
    MailerModule.forRootAsync({
      inject: [mailConfig.KEY],
      useFactory: (config: ConfigType<typeof mailConfig>) => ({
        transport: config.smtpUrl ?? { streamTransport: true, buffer: true, newline: 'unix' },
        defaults: { from: config.from },
      }),
    }),
  ],
  providers: [MailRenderer, MailSender, MailDeliveryLog, MailService, MailLogQueryService, MailProcessor, MailPersonalData],
  exports: [MailService, MailSender, MailLogQueryService],
})
export class MailModule {}
