import { Injectable, Logger } from '@nestjs/common';
import { Metrics } from '../../common/metrics';
import { JobQueue, QueueCounts } from '../../jobs/job-queue';

const STATES = ['waiting', 'active', 'delayed', 'failed'] as const satisfies ReadonlyArray<keyof QueueCounts>;

/**
 * Jobs per queue and state, read when Prometheus scrapes. With Redis the numbers
 * are the queues' own, the same from every replica (aggregate them with `max`,
 * not `sum`); in-process they are this process's.
 */
@Injectable()
export class QueueMetrics {
  private readonly logger = new Logger('Metrics');

  constructor(metrics: Metrics, jobs: JobQueue) {
    const logger = this.logger;
    metrics.gauge({
      name: 'oktonine_queue_jobs',
      help: 'Jobs per queue and state (waiting, active, delayed, failed); with Redis, read from Redis',
      labelNames: ['queue', 'state'],
      async collect() {
        this.reset();
        let counts: QueueCounts[];
        try {
          counts = await jobs.counts();
        } catch (error) {
          // Readiness reports Redis down; the scrape still answers with the process's own metrics.
          logger.warn({ error: error instanceof Error ? error.message : String(error) }, 'Queue counts unavailable');
          return;
        }
        for (const c of counts) for (const state of STATES) this.set({ queue: c.queue, state }, c[state]);
      },
    });
  }
}
