import { JobOf } from '../jobs/job-payloads';
import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { REGISTRATION_JOB, RegistrationService } from './registration.service';

@JobProcessor(REGISTRATION_JOB)
export class RegistrationProcessor {
  constructor(private readonly registration: RegistrationService) {}

  @JobHandler({ concurrency: 2 })
  settle(job: JobOf<typeof REGISTRATION_JOB>): Promise<void> {
    return this.registration.process(job.data.requestId);
  }
}
