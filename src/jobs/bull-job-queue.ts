import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import Bull from 'bull';
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
}

const HEALTH_TIMEOUT_MS = 1500;

/**
 * Bull-backed queues, one per job name, shared by every API and worker process
 * over the same Redis. Processing starts at bootstrap when `process` is true
 * (API with RUN_WORKERS unset, or the worker entry point).
 */
export class BullJobQueue extends JobQueue implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly kind = 'bull' as const;

  get consumes(): boolean {
    return this.process;
  }
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<string, Bull.Queue>();
  private readonly handlers = new Map<string, Registered>();
  private readonly repeats = new Set<string>();

  constructor(
    private readonly redisUrl: string,
    private readonly prefix: string,
    private readonly process: boolean,
    private readonly backoffBaseMs = 1000,
    /** A job whose process died is retried once its lock lapses (checked as often). */
    private readonly lockMs = 30_000,
    private readonly drainMs = 10_000,
  ) {
    super();
  }

  register<T>(name: string, handler: JobHandler<T>, options: HandlerOptions = {}): void {
    if (this.handlers.has(name)) throw new Error(`Job handler for "${name}" registered twice`);
    this.handlers.set(name, { handler, concurrency: options.concurrency ?? 1 });
  }

  async enqueue<T>(name: string, data: T, options: JobOptions = {}): Promise<void> {
    await this.queue(name).add(data, this.jobOptions(options));
  }

  async enqueueMany<T>(name: string, jobs: Array<{ data: T; options?: JobOptions }>): Promise<void> {
    if (!jobs.length) return;
    await this.queue(name).addBulk(jobs.map((j) => ({ data: j.data, opts: this.jobOptions(j.options ?? {}) })));
  }

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Two quiet readings in a row: the counts of several queues are not read atomically, and a
    // job finishing in one queue may have just added a job to another that was read before.
    for (let quiet = 0; quiet < 2; ) {
      const busy = await this.busy();
      quiet = busy ? 0 : quiet + 1;
      if (busy && Date.now() > deadline) throw new Error(`${busy} job(s) still waiting, delayed or running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Jobs waiting, delayed (not counting the next run of a repeatable job) or running. */
  private async busy(): Promise<number> {
    let total = 0;
    for (const name of new Set([...this.handlers.keys(), ...this.queues.keys()])) {
      const queue = this.queue(name);
      const c = await queue.getJobCounts();
      let delayed = c.delayed;
      if (delayed && this.repeats.has(name)) delayed = (await queue.getDelayed()).filter((j) => !j.opts.repeat).length;
      total += c.waiting + c.active + delayed;
    }
    return total;
  }

  async repeat(name: string, everyMs: number): Promise<void> {
    this.repeats.add(name);
    // The repeat key (name + every + jobId) is the same from every process: Redis keeps one.
    await this.queue(name).add({}, { repeat: { every: everyMs }, jobId: name, attempts: 1, removeOnComplete: 50, removeOnFail: 50 });
  }

  async health(): Promise<QueueHealth> {
    const client = this.anyQueue().client;
    try {
      const answer = await Promise.race([
        client.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS).unref()),
      ]);
      return answer === 'PONG' ? { ok: true } : { ok: false, error: `unexpected answer ${String(answer)}` };
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  onApplicationBootstrap(): void {
    if (!this.process) return;
    for (const [name, registered] of this.handlers) {
      const queue = this.queue(name);
      void queue.process(registered.concurrency, async (job) =>
        registered.handler(job.data, { id: String(job.id), name, attempt: job.attemptsMade + 1, attempts: job.opts.attempts ?? 1 }),
      );
      queue.on('failed', (job, error) => {
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.logger[final ? 'error' : 'warn'](
          { job: name, jobId: job.id, attempt: job.attemptsMade, error: error.message },
          final ? 'Job failed for good' : 'Job failed, will retry',
        );
      });
    }
  }

  /**
   * Takes no new job, gives the running ones `drainMs` to finish, then closes
   * without waiting: a job still running (an SMTP server that does not answer)
   * is retried by another worker once its lock lapses, so the process exits in
   * bounded time and nothing is lost.
   */
  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    let drained = true;
    if (this.process) {
      await Promise.allSettled(queues.map((q) => q.pause(true, true)));
      drained = await settlesWithin(Promise.allSettled(queues.map((q) => q.whenCurrentJobsFinished())), this.drainMs);
      if (!drained) this.logger.warn({ drainMs: this.drainMs }, 'Jobs still running at shutdown: leaving them to be retried once their lock lapses');
    }
    await Promise.allSettled(queues.map((q) => q.close(!drained)));
    this.queues.clear();
  }

  private jobOptions(options: JobOptions): Bull.JobOptions {
    return {
      attempts: options.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: backoffDelay(1, this.backoffBaseMs) },
      delay: options.delayMs,
      jobId: options.jobId,
      removeOnComplete: 1000,
      // A job with an id stands for work the database records: once it fails for good it must
      // not block the recovery sweep from queueing that work again under the same id.
      removeOnFail: options.jobId ? true : 5000,
    };
  }

  private anyQueue(): Bull.Queue {
    return this.queues.values().next().value ?? this.queue('health');
  }

  private queue(name: string): Bull.Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Bull(name, this.redisUrl, {
        prefix: this.prefix,
        settings: { lockDuration: this.lockMs, lockRenewTime: this.lockMs / 2, stalledInterval: this.lockMs, maxStalledCount: 3 },
      });
      queue.on('error', (error) => this.logger.error({ queue: name, error: error.message }, 'Queue connection error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
