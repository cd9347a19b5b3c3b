import { JobOf } from '../jobs/job-payloads';
import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { ACCOUNT_EMAIL_JOB } from './auth.constants';
import { AuthService } from './auth.service';

@JobProcessor(ACCOUNT_EMAIL_JOB)
export class AccountEmailProcessor {
  constructor(private readonly auth: AuthService) {}

  @JobHandler({ concurrency: 5 })
  send(job: JobOf<typeof ACCOUNT_EMAIL_JOB>): Promise<void> {
    return this.auth.accountEmail(job.data);
  }
}
