import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  backoffDelay,
  DEFAULT_ATTEMPTS,
  HandlerOptions,
  JobHandler,
  JobOptions,
  JobQueue,
  QueueHealth,
  settlesWithin,
} from './job-queue';

interface Registered {
  handler: JobHandler<any>;
  concurrency: number;
  running: number;
  waiting: Array<() => void>;
}

/**
 * The embedded queue: jobs run asynchronously in this process with the same
 * attempts and backoff as Bull. Used when REDIS_URL is unset (single process).
 */
export class InProcessJobQueue extends JobQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly kind = 'in-process' as const;
  readonly consumes = true;
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, Registered>();
  private readonly repeatTimers = new Set<NodeJS.Timeout>();
  private readonly jobTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly activeIds = new Set<string>();
  private readonly backlog: Array<() => void> = [];
  private started = false;
  private closing = false;

  constructor(
    private readonly backoffBaseMs = 1000,
    private readonly drainMs = 10_000,
  ) {
    super();
  }

  register<T>(name: string, handler: JobHandler<T>, options: HandlerOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`Job handler for "${name}" registered twice`);
    this.handlers.set(name, { handler, concurrency: options.concurrency ?? 1, running: 0, waiting: [] });
  }

  async enqueue<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    if (options.jobId) {
      if (this.activeIds.has(`${name}:${options.jobId}`)) return;
      this.activeIds.add(`${name}:${options.jobId}`);
    }
    const id = options.jobId ?? randomUUID();
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.schedule(() => this.run(name, id, data, 1, attempts, options.jobId), options.delayMs ?? 0);
  }

  async enqueueMany<T>(name: string, jobs: Array<{ data: T; options?: JobOptions }>): Promise<void> {
    for (const job of jobs) await this.enqueue(name, job.data, job.options);
  }

  async repeat(name: string, everyMs: number): Promise<void> {
    const timer = setInterval(() => {
      if (!this.closing) this.schedule(() => this.run(name, randomUUID(), {}, 1, 1), 0);
    }, everyMs);
    timer.unref();
    this.repeatTimers.add(timer);
  }

  async health(): Promise<QueueHealth | null> {
    return null;
  }

  onApplicationBootstrap(): void {
    this.started = true;
    for (const start of this.backlog.splice(0)) start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    for (const timer of [...this.repeatTimers, ...this.jobTimers]) clearTimeout(timer);
    this.repeatTimers.clear();
    this.jobTimers.clear();
    // In-flight jobs get `drainMs` to finish; queued-but-not-started ones are dropped with the
    // process. Work the database records (imports, emails, registrations) is queued again by
    // the recovery sweep at the next start.
    if (!(await settlesWithin(this.idle(), this.drainMs))) {
      this.logger.warn({ drainMs: this.drainMs, running: this.inFlight.size }, 'Jobs still running at shutdown: they will be recovered at the next start');
    }
  }

  /** Waits until no job is running or scheduled (a retry's backoff included). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size || this.pendingTimers()) {
      if (Date.now() > deadline) throw new Error(`Jobs still running or scheduled after ${timeoutMs} ms`);
      if (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Timers that will start a job (not the repeatable ones, which never end). */
  private pendingTimers(): number {
    return this.jobTimers.size + this.backlog.length;
  }

  private schedule(start: () => Promise<void>, delayMs: number): void {
    if (this.closing) return;
    const launch = () => {
      const p = start().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    };
    if (!this.started) {
      this.backlog.push(launch);
      return;
    }
    const timer = setTimeout(() => {
      this.jobTimers.delete(timer);
      launch();
    }, delayMs);
    this.jobTimers.add(timer);
  }

  private async run(name: string, id: string, data: unknown, attempt: number, attempts: number, dedupeId?: string): Promise<void> {
    const registered = this.handlers.get(name);
    if (!registered) {
      this.logger.error({ job: name, jobId: id }, 'No handler registered for job');
      return;
    }
    await this.acquire(registered);
    try {
      await registered.handler(data, { id, name, attempt, attempts });
      if (dedupeId) this.activeIds.delete(`${name}:${dedupeId}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (attempt < attempts && !this.closing) {
        this.logger.warn({ job: name, jobId: id, attempt, error: message }, 'Job failed, will retry');
        this.schedule(() => this.run(name, id, data, attempt + 1, attempts, dedupeId), backoffDelay(attempt, this.backoffBaseMs));
      } else {
        if (dedupeId) this.activeIds.delete(`${name}:${dedupeId}`);
        this.logger.error({ job: name, jobId: id, attempt, error: message }, 'Job failed for good');
      }
    } finally {
      this.release(registered);
    }
  }

  private acquire(r: Registered): Promise<void> {
    if (r.running < r.concurrency) {
      r.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => r.waiting.push(() => resolve()));
  }

  private release(r: Registered): void {
    const next = r.waiting.shift();
    if (next) next();
    else r.running--;
  }
}
