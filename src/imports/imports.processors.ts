import { isLastAttempt, JobOf } from '../jobs/job-payloads';
import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { ImportJobsService } from './import-jobs.service';
import { IMPORT_CHUNK_JOB, IMPORT_WELCOME_JOB } from './imports.constants';

@JobProcessor(IMPORT_CHUNK_JOB)
export class ImportChunkProcessor {
  constructor(private readonly imports: ImportJobsService) {}

  @JobHandler({ concurrency: 2 })
  process(job: JobOf<typeof IMPORT_CHUNK_JOB>): Promise<void> {
    return this.imports.runChunk(job.data, isLastAttempt(job));
  }
}

@JobProcessor(IMPORT_WELCOME_JOB)
export class ImportWelcomeProcessor {
  constructor(private readonly imports: ImportJobsService) {}

  @JobHandler({ concurrency: 2 })
  send(job: JobOf<typeof IMPORT_WELCOME_JOB>): Promise<void> {
    return this.imports.sendWelcomes(job.data);
  }
}
