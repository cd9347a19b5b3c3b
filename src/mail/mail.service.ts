import { Injectable, OnModuleInit } from '@nestjs/common';
import { JobQueue } from '../jobs/job-queue';
import { MailSender } from './mail-sender';
import { MAIL_SEND_JOB, MailMessage } from './mail.types';

/** What modules call to send mail: always through a queued job, never inside the request. */
@Injectable()
export class MailService implements OnModuleInit {
  constructor(
    private readonly jobs: JobQueue,
    private readonly sender: MailSender,
  ) {}

  onModuleInit() {
    this.jobs.register<MailMessage>(MAIL_SEND_JOB, (message) => this.sender.deliver(message), { concurrency: 5 });
  }

  async send(message: MailMessage): Promise<void> {
    await this.jobs.enqueue(MAIL_SEND_JOB, message);
  }

  async sendMany(messages: MailMessage[]): Promise<void> {
    await this.jobs.enqueueMany(MAIL_SEND_JOB, messages.map((data) => ({ data })));
  }
}
