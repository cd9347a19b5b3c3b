import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { jobsConfig } from '../config/configuration';
import { JobQueue } from './job-queue';

/**
 * Queues again the work of one kind that the database records but whose job may
 * be gone; returns how many jobs it queued. Only work older than `olderThan` is
 * looked at (younger work belongs to a job that was just queued). Must be
 * idempotent: jobs carry ids (deduplicated while queued) and every handler
 * checks the database before doing anything.
 */
export type Sweep = (olderThan: Date) => Promise<number>;

/**
 * Redis is a transport, not the record: when it loses its data (a restart
 * without persistence, a failover to an empty replica, a flushed key space) or
 * the embedded default restarts, the jobs are gone but the database still says
 * which imports, emails and registrations are unfinished. Every process that
 * runs jobs sweeps at start and then every JOB_SWEEP_EVERY_MS, on a local timer
 * (a repeatable job would be lost with the rest of Redis). Sweeping from several
 * processes at once is harmless, since every sweep is idempotent.
 */
@Injectable()
export class JobRecovery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('JobRecovery');
  private readonly sweeps = new Map<string, Sweep>();
  private timer?: NodeJS.Timeout;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {}

  /** Call from onModuleInit. */
  register(name: string, sweep: Sweep): void {
    if (this.sweeps.has(name)) throw new Error(`Sweep "${name}" registered twice`);
    this.sweeps.set(name, sweep);
  }

  onApplicationBootstrap(): void {
    if (!this.jobs.consumes) return;
    this.timer = setInterval(() => void this.sweep(), this.config.sweepEveryMs);
    this.timer.unref();
    void this.sweep();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Runs every sweep once (one at a time per process); returns the jobs queued per kind. */
  sweep(): Promise<Record<string, number>> {
    const run = this.running.then(() => this.sweepAll());
    this.running = run.catch(() => undefined);
    return run;
  }

  private async sweepAll(): Promise<Record<string, number>> {
    const olderThan = new Date(this.clock.now().getTime() - this.config.sweepGraceMs);
    const queued: Record<string, number> = {};
    for (const [name, sweep] of this.sweeps) {
      try {
        queued[name] = await sweep(olderThan);
        if (queued[name])
          this.logger.warn({ sweep: name, queued: queued[name] }, `Recovered ${queued[name]} ${name} job(s) whose queue entry was missing or late`);
      } catch (error) {
        this.logger.error({ sweep: name, error: error instanceof Error ? error.message : String(error) }, 'Recovery sweep failed');
      }
    }
    return queued;
  }
}
