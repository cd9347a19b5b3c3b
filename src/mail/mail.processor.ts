import { JobOf, isLastAttempt } from '../jobs/job-payloads';
import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { MailService } from './mail.service';
import { MAIL_CONCURRENCY, MAIL_SEND_JOB } from './mail.types';

@JobProcessor(MAIL_SEND_JOB)
export class MailProcessor {
  constructor(private readonly mail: MailService) {}

  @JobHandler({ concurrency: MAIL_CONCURRENCY })
  send(job: JobOf<typeof MAIL_SEND_JOB>): Promise<void> {
    return this.mail.deliver(job.data.mailId, isLastAttempt(job));
  }
}
