import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { jobsConfig } from '../config/configuration';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';
import { JobRecovery } from './job-recovery.service';

@Global()
@Module({
  providers: [
    {
      provide: JobQueue,
      inject: [jobsConfig.KEY],
      useFactory: (config: ConfigType<typeof jobsConfig>): JobQueue =>
        config.redisUrl
          ? new BullJobQueue(config.redisUrl, config.prefix, config.runWorkers, config.backoffMs, config.lockMs, config.drainMs)
          : new InProcessJobQueue(config.backoffMs, config.drainMs),
    },
    JobRecovery,
  ],
  exports: [JobQueue, JobRecovery],
})
export class JobsModule {}
