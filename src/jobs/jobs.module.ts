import { Global, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { jobsConfig } from '../config/configuration';
import { BullJobQueue } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobQueue } from './job-queue';

@Global()
@Module({
  providers: [
    {
      provide: JobQueue,
      inject: [jobsConfig.KEY],
      useFactory: (config: ConfigType<typeof jobsConfig>): JobQueue =>
        config.redisUrl ? new BullJobQueue(config.redisUrl, config.prefix, config.runWorkers, undefined, config.lockMs) : new InProcessJobQueue(),
    },
  ],
  exports: [JobQueue],
})
export class JobsModule {}
