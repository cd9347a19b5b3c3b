import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { jobsConfig } from '../config/configuration';
import { JobName, JobPayloads, QueuedJob } from './job-payloads';
import { JOB_HANDLER, JOB_PROCESSOR, JobHandlerOptions } from './job-processor.decorator';
import { backoffDelay, DEFAULT_ATTEMPTS, InspectableQueue, JobOptions, JobQueue, QueueCounts, QueueHealth, settlesWithin } from './job-queue';

type Handler = (job: QueuedJob<unknown>) => Promise<unknown>;

interface Registered {
  handler: Handler;
  concurrency: number;
  running: number;
  waiting: Array<() => void>;
}

/**
 * The embedded queue (no REDIS_URL): nothing connects to Redis. At start it
 * finds the same @JobProcessor/@JobHandler classes @nestjs/bull would attach,
 * through Nest's DiscoveryService, and runs their jobs asynchronously in this
 * process with the same attempts and backoff as Bull.
 */
@Injectable()
export class InProcessJobQueue extends JobQueue implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  readonly kind = 'in-process' as const;
  readonly consumes = true;
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, Registered>();
  private readonly repeatTimers = new Set<NodeJS.Timeout>();
  private readonly jobTimers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly activeIds = new Set<string>();
  private readonly backlog: Array<() => void> = [];
  /** Jobs scheduled and not yet started, with their payload (for `purge`). */
  private readonly pending = new Set<{ name: string; data: unknown; cancelled: boolean; timer?: NodeJS.Timeout; delayed: boolean }>();
  private readonly stats = new Map<string, Omit<QueueCounts, 'queue'>>();
  private started = false;
  private closing = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(jobsConfig.KEY) private readonly config: ConfigType<typeof jobsConfig>,
  ) {
    super();
  }

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const name = this.reflector.get<JobName | undefined>(JOB_PROCESSOR, instance.constructor);
      if (!name) continue;
      for (const key of this.scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const method = instance[key] as Handler;
        const options = this.reflector.get<JobHandlerOptions | undefined>(JOB_HANDLER, method);
        if (!options) continue;
        if (this.handlers.has(name)) throw new Error(`Two handlers for the jobs "${name}"`);
        this.handlers.set(name, { handler: method.bind(instance), concurrency: options.concurrency ?? 1, running: 0, waiting: [] });
        this.stat(name);
      }
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], options: JobOptions = {}): Promise<void> {
    if (options.jobId) {
      if (this.activeIds.has(`${name}:${options.jobId}`)) return;
      this.activeIds.add(`${name}:${options.jobId}`);
    }
    const id = options.jobId ?? randomUUID();
    const attempts = options.attempts ?? DEFAULT_ATTEMPTS;
    this.schedule(name, () => this.run(name, id, data, 0, attempts, options.jobId), options.delayMs ?? 0, data);
  }

  async purge<N extends JobName>(name: N, match: (data: JobPayloads[N]) => boolean): Promise<number> {
    let removed = 0;
    for (const entry of this.pending) {
      if (entry.name === name && !entry.cancelled && match(entry.data as JobPayloads[N])) {
        entry.cancelled = true;
        removed++;
        // A timer still waiting is cleared now, so `idle()` and the counts see the job gone at once.
        if (entry.timer) {
          clearTimeout(entry.timer);
          this.jobTimers.delete(entry.timer);
          this.pending.delete(entry);
          const stat = this.stat(name);
          if (entry.delayed) stat.delayed--;
          else stat.waiting--;
        }
      }
    }
    return removed;
  }

  async enqueueMany<N extends JobName>(name: N, jobs: Array<{ data: JobPayloads[N]; options?: JobOptions }>): Promise<void> {
    for (const job of jobs) await this.enqueue(name, job.data, job.options);
  }

  async repeat(name: JobName, everyMs: number): Promise<void> {
    const timer = setInterval(() => {
      if (!this.closing) this.schedule(name, () => this.run(name, randomUUID(), {}, 0, 1), 0);
    }, everyMs);
    timer.unref();
    this.repeatTimers.add(timer);
  }

  /** This process's jobs; `failed` counts the jobs that failed for good since it started. */
  async counts(): Promise<QueueCounts[]> {
    return [...this.stats].map(([queue, s]) => ({ queue, ...s }));
  }

  inspectableQueues(): readonly InspectableQueue[] {
    return [];
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
    if (!(await settlesWithin(this.idle(), this.config.drainMs))) {
      this.logger.warn(
        { drainMs: this.config.drainMs, running: this.inFlight.size },
        'Jobs still running at shutdown: they will be recovered at the next start',
      );
    }
  }

  /** Waits until no job is running or scheduled (a retry's backoff included). */
  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight.size || this.jobTimers.size || this.backlog.length) {
      if (Date.now() > deadline) throw new Error(`Jobs still running or scheduled after ${timeoutMs} ms`);
      if (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
      else await new Promise((r) => setTimeout(r, 10));
    }
  }

  private stat(name: string): Omit<QueueCounts, 'queue'> {
    let stat = this.stats.get(name);
    if (!stat) this.stats.set(name, (stat = { waiting: 0, active: 0, delayed: 0, failed: 0 }));
    return stat;
  }

  private schedule(name: string, start: () => Promise<void>, delayMs: number, data: unknown = {}): void {
    if (this.closing) return;
    const stat = this.stat(name);
    // Before bootstrap every job waits in the backlog, whatever its delay.
    const delayed = delayMs > 0 && this.started;
    if (delayed) stat.delayed++;
    else stat.waiting++;
    const entry: { name: string; data: unknown; cancelled: boolean; timer?: NodeJS.Timeout; delayed: boolean } = { name, data, cancelled: false, delayed };
    this.pending.add(entry);
    const launch = () => {
      this.pending.delete(entry);
      if (entry.cancelled) {
        stat.waiting--;
        return;
      }
      const p = start().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    };
    if (!this.started) {
      this.backlog.push(launch);
      return;
    }
    const timer = setTimeout(() => {
      this.jobTimers.delete(timer);
      entry.timer = undefined;
      if (delayed) {
        stat.delayed--;
        stat.waiting++;
      }
      launch();
    }, delayMs);
    this.jobTimers.add(timer);
    entry.timer = timer;
  }

  private async run(name: string, id: string, data: unknown, attemptsMade: number, attempts: number, dedupeId?: string): Promise<void> {
    const registered = this.handlers.get(name);
    const stat = this.stat(name);
    if (!registered) {
      stat.waiting--;
      this.logger.error({ job: name, jobId: id }, 'No handler for this job');
      return;
    }
    await this.acquire(registered);
    stat.waiting--;
    stat.active++;
    try {
      await registered.handler({ id, name, data, attemptsMade, opts: { attempts } });
      if (dedupeId) this.activeIds.delete(`${name}:${dedupeId}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const attempt = attemptsMade + 1;
      if (attempt < attempts && !this.closing) {
        this.logger.warn({ job: name, jobId: id, attempt, error: message }, 'Job failed, will retry');
        this.schedule(name, () => this.run(name, id, data, attempt, attempts, dedupeId), backoffDelay(attempt, this.config.backoffMs), data);
      } else {
        if (dedupeId) this.activeIds.delete(`${name}:${dedupeId}`);
        stat.failed++;
        this.logger.error({ job: name, jobId: id, attempt, error: message }, 'Job failed for good');
      }
    } finally {
      stat.active--;
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
