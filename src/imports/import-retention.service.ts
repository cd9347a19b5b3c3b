import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { Transactions } from '../common/transactions';
import { importsConfig } from '../config/configuration';
import { JobHandler, JobProcessor } from '../jobs/job-processor.decorator';
import { JobQueue } from '../jobs/job-queue';
import { ImportBatch } from './entities/import-batch.entity';
import { ImportChunk } from './entities/import-chunk.entity';
import { IMPORT_RETENTION_JOB } from './imports.constants';

const BATCHES_PER_RUN = 500;

/**
 * Import rows hold minors' names and addresses: they are kept IMPORT_RETENTION_DAYS
 * after the batch ends (for the report), then purged by a repeatable job. The
 * batch keeps its counts; its report answers 410 REPORT_EXPIRED.
 */
@Injectable()
export class ImportRetentionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('ImportRetention');

  constructor(
    private readonly jobs: JobQueue,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(importsConfig.KEY) private readonly config: ConfigType<typeof importsConfig>,
  ) {}

  async onApplicationBootstrap() {
    await this.jobs.repeat(IMPORT_RETENTION_JOB, this.config.retentionEveryMs);
  }

  /** Purges the batches ended before the retention window; returns how many. */
  async run(): Promise<number> {
    const now = this.clock.now();
    const before = new Date(now.getTime() - this.config.retentionDays * 86_400_000);
    let purged = 0;
    for (;;) {
      const batches = await this.tx.run(async (em) => {
        const due = await em
          .createQueryBuilder(ImportBatch, 'b')
          .select(['b.id'])
          .where('b.purgedAt IS NULL AND b.finishedAt IS NOT NULL AND b.finishedAt <= :before', { before })
          .orderBy('b.finishedAt', 'ASC')
          .limit(BATCHES_PER_RUN)
          .getMany();
        const ids = due.map((b) => b.id);
        if (!ids.length) return 0;
        await em.createQueryBuilder().update(ImportChunk).set({ rows: [], passwords: null, results: [] }).where('batchId IN (:...ids)', { ids }).execute();
        await em
          .createQueryBuilder()
          .update(ImportBatch)
          .set({ purgedAt: now, ignoredRows: null })
          .where('id IN (:...ids) AND purgedAt IS NULL', { ids })
          .execute();
        return ids.length;
      });
      purged += batches;
      if (batches < BATCHES_PER_RUN) break;
    }
    if (purged) this.logger.log({ batches: purged, retentionDays: this.config.retentionDays }, 'Import row data purged');
    return purged;
  }
}

@JobProcessor(IMPORT_RETENTION_JOB)
export class ImportRetentionProcessor {
  constructor(private readonly retention: ImportRetentionService) {}

  @JobHandler()
  async run(): Promise<void> {
    await this.retention.run();
  }
}
