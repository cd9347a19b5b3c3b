import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { VALIDATION_DIGEST_JOB, ValidationDigestService } from './validation-digest.service';

@JobProcessor(VALIDATION_DIGEST_JOB)
export class ValidationDigestProcessor {
  constructor(private readonly digest: ValidationDigestService) {}

  @JobHandler()
  async run(): Promise<void> {
    await this.digest.run();
  }
}
