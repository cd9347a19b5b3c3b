import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { jobsConfig } from '../config/configuration';
import { bullJobQueueProvider, bullQueueOptions, bullRootOptions, producerQueueProviders } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JobName } from './job-payloads';
import { JobQueue } from './job-queue';
import { JobRecovery } from './job-recovery.service';

/** A module that declares the queues its processors consume and its services fill. */
@Module({})
class JobsFeatureModule {}

/**
 * The job transport, chosen once per boot: with REDIS_URL, @nestjs/bull queues
 * (one per job name declared with `forFeature`), whose @JobProcessor classes
 * Bull's explorer attaches; without, the in-process queue, which discovers the
 * same classes. Either way modules inject the `JobQueue` port.
 */
@Module({})
export class JobsModule {
  private static readonly declared = new Set<JobName>();

  /**
   * Declares a module's queues, like TypeOrmModule.forFeature declares entities:
   * the names are collected when the modules are defined, and `forRoot` (called
   * at boot) registers one Bull queue for each.
   */
  static forFeature(...names: JobName[]): DynamicModule {
    for (const name of names) JobsModule.declared.add(name);
    return { module: JobsFeatureModule };
  }

  static forRoot(config: ConfigType<typeof jobsConfig>): DynamicModule {
    const names = [...JobsModule.declared];
    const recovery = [JobRecovery];
    if (!config.redisUrl) {
      return {
        module: JobsModule,
        global: true,
        imports: [DiscoveryModule],
        providers: [InProcessJobQueue, { provide: JobQueue, useExisting: InProcessJobQueue }, ...recovery],
        exports: [JobQueue, ...recovery],
      };
    }
    // A process that does not consume registers its queues without @nestjs/bull's explorer
    // (which would attach the processors): it only produces.
    const consumer = config.runWorkers;
    return {
      module: JobsModule,
      global: true,
      imports: [
        BullModule.forRootAsync({ inject: [jobsConfig.KEY], useFactory: bullRootOptions }),
        ...(consumer ? [BullModule.registerQueueAsync(...names.map((name) => ({ name, inject: [jobsConfig.KEY], useFactory: bullQueueOptions })))] : []),
      ],
      providers: [...(consumer ? [] : producerQueueProviders(names)), bullJobQueueProvider(names), ...recovery],
      exports: [JobQueue, ...recovery],
    };
  }
}
