import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { JobQueue } from '../jobs/job-queue';

export interface CheckResult {
  status: 'up' | 'down';
  error?: string;
}

const DB_TIMEOUT_MS = 1500;

@Injectable()
export class HealthService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  private readonly last = new Map<string, 'up' | 'down'>();
  private shuttingDown = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly jobs: JobQueue,
  ) {}

  async check(): Promise<{ status: 'ok' | 'error'; checks: Record<string, CheckResult> }> {
    const [database, redis] = await Promise.all([this.database(), this.jobs.health()]);
    const checks: Record<string, CheckResult> = { database };
    if (redis) checks.redis = redis.ok ? { status: 'up' } : { status: 'down', error: redis.error };
    for (const [name, result] of Object.entries(checks)) this.logTransition(name, result);
    // Draining: tell the load balancer to stop sending traffic while in-flight work finishes.
    if (this.shuttingDown) checks.process = { status: 'down', error: 'shutting down' };
    const ok = Object.values(checks).every((c) => c.status === 'up');
    return { status: ok ? 'ok' : 'error', checks };
  }

  beforeApplicationShutdown(signal?: string) {
    this.shuttingDown = true;
    this.logger.log({ signal }, `Shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests and jobs`);
  }

  private async database(): Promise<CheckResult> {
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${DB_TIMEOUT_MS} ms`)), DB_TIMEOUT_MS).unref()),
      ]);
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** One log line when a dependency goes down or comes back, not one per probe. */
  private logTransition(name: string, result: CheckResult) {
    const previous = this.last.get(name);
    this.last.set(name, result.status);
    if (result.status === 'down' && previous !== 'down') this.logger.error({ dependency: name, error: result.error }, `${name} is down`);
    if (result.status === 'up' && previous === 'down') this.logger.log({ dependency: name }, `${name} is back up`);
  }
}
