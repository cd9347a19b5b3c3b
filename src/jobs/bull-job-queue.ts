import { BullRootModuleOptions, getQueueToken } from '@nestjs/bull';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap, OnApplicationShutdown, Provider } from '@nestjs/common';
import Bull, { Job, JobOptions as BullJobOptions, Queue, QueueOptions } from 'bull';
import { jobsConfig, JobsConfig } from '../config/configuration';
import { JobName, JobPayloads } from './job-payloads';
import { DEFAULT_ATTEMPTS, InspectableQueue, JobOptions, JobQueue, QueueCounts, QueueHealth, settlesWithin } from './job-queue';

/** Connection, prefix and job defaults shared by every queue (BullModule.forRootAsync). */
export function bullRootOptions(c: JobsConfig): BullRootModuleOptions {
  return {
    url: c.redisUrl!,
    prefix: c.prefix,
    defaultJobOptions: {
      attempts: DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: c.backoffMs },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
  };
}

/** Per queue: a job whose process died is retried once its lock lapses (checked as often). */
export function bullQueueOptions(c: JobsConfig): QueueOptions {
  return { settings: { lockDuration: c.lockMs, lockRenewTime: c.lockMs / 2, stalledInterval: c.lockMs, maxStalledCount: 3 } };
}

/**
 * The queues of a process that only produces (the API with RUN_WORKERS=false):
 * the same queues under the same tokens, without @nestjs/bull's explorer, so no
 * processor is attached and no job is ever taken here.
 */
export function producerQueueProviders(names: readonly string[]): Provider[] {
  return names.map((name) => ({
    provide: getQueueToken(name),
    inject: [jobsConfig.KEY],
    useFactory: (c: JobsConfig) => {
      const { url, ...options } = bullRootOptions(c);
      return new Bull(name, url!, { ...options, ...bullQueueOptions(c) });
    },
  }));
}

const HEALTH_TIMEOUT_MS = 1500;
/** How long closing the queues may wait on Redis at shutdown. */
const CLOSE_MS = 5000;

/** The JobQueue port over the queues registered for `names`. */
export function bullJobQueueProvider(names: readonly string[]): Provider {
  return {
    provide: JobQueue,
    inject: [jobsConfig.KEY, ...names.map((name) => getQueueToken(name))],
    useFactory: (c: JobsConfig, ...queues: Queue[]) => new BullJobQueue(queues, c),
  };
}

/**
 * The port over @nestjs/bull's queues (one per job name, registered by
 * JobsModule), shared by every API and worker process over the same Redis.
 * The @JobProcessor classes are attached by @nestjs/bull's explorer, in the
 * processes that consume.
 */
export class BullJobQueue extends JobQueue implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<string, Queue>();
  private readonly repeats = new Set<string>();

  constructor(
    queues: Queue[],
    private readonly config: JobsConfig,
  ) {
    super();
    for (const queue of queues) {
      this.queues.set(queue.name, queue);
      queue.on('error', (error) => this.logger.error({ queue: queue.name, error: error.message }, 'Queue connection error'));
    }
  }

  get consumes(): boolean {
    return this.config.runWorkers;
  }

  onApplicationBootstrap(): void {
    if (!this.consumes) return;
    for (const queue of this.queues.values()) {
      queue.on('failed', (job: Job, error: Error) => {
        const final = job.attemptsMade >= (job.opts.attempts ?? 1);
        this.logger[final ? 'error' : 'warn'](
          { job: queue.name, jobId: job.id, attempt: job.attemptsMade, error: error.message },
          final ? 'Job failed for good' : 'Job failed, will retry',
        );
      });
    }
  }

  async enqueue<N extends JobName>(name: N, data: JobPayloads[N], options: JobOptions = {}): Promise<void> {
    await this.enqueueMany(name, [{ data, options }]);
  }

  async enqueueMany<N extends JobName>(name: N, jobs: Array<{ data: JobPayloads[N]; options?: JobOptions }>): Promise<void> {
    if (!jobs.length) return;
    const queue = this.queue(name);
    for (const { options } of jobs) {
      if (!options?.again || !options.jobId) continue;
      const kept = await queue.getJob(options.jobId);
      // Only a finished job: one waiting or running already does the work.
      if (kept && ((await kept.isCompleted()) || (await kept.isFailed()))) await kept.remove();
    }
    await queue.addBulk(jobs.map((j) => ({ data: j.data, opts: this.jobOptions(j.options ?? {}) })));
  }

  async repeat(name: JobName, everyMs: number): Promise<void> {
    const queue = this.queue(name);
    this.repeats.add(name);
    // An earlier start with another interval left its schedule in Redis: only the current one may run.
    for (const stale of await queue.getRepeatableJobs()) {
      if (Number(stale.every) !== everyMs) await queue.removeRepeatableByKey(stale.key);
    }
    // The repeat key (name + every + jobId) is the same from every process: Redis keeps one.
    await queue.add({}, { repeat: { every: everyMs }, jobId: name, attempts: 1, removeOnComplete: 50, removeOnFail: 50 });
  }

  async purge<N extends JobName>(name: N, match: (data: JobPayloads[N]) => boolean): Promise<number> {
    const queue = this.queues.get(name);
    if (!queue) return 0;
    let removed = 0;
    // Finished jobs too: Bull keeps the last ones (removeOnComplete, removeOnFail) with their data in Redis.
    for (const job of await queue.getJobs(['waiting', 'delayed', 'paused', 'completed', 'failed'])) {
      if (job && match(job.data as JobPayloads[N])) {
        await job.remove();
        removed++;
      }
    }
    return removed;
  }

  async counts(): Promise<QueueCounts[]> {
    return Promise.all(
      [...this.queues].map(async ([name, queue]) => {
        const c = await queue.getJobCounts();
        return { queue: name, waiting: c.waiting, active: c.active, delayed: c.delayed, failed: c.failed };
      }),
    );
  }

  inspectableQueues(): readonly InspectableQueue[] {
    return [...this.queues.values()];
  }

  async health(): Promise<QueueHealth> {
    const client = this.queues.values().next().value?.client;
    if (!client) return { ok: true };
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

  async idle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Two quiet readings in a row: the counts of several queues are not read atomically, and a
    // job finishing in one queue may have just added a job to another that was read before.
    for (let quiet = 0; quiet < 2;) {
      const busy = await this.busy();
      quiet = busy ? 0 : quiet + 1;
      if (busy && Date.now() > deadline) throw new Error(`${busy} job(s) still waiting, delayed or running after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * Takes no new job and gives the running ones `drainMs` to finish: a job still
   * running (an SMTP server that does not answer) is retried by another worker
   * once its lock lapses, so the process exits in bounded time and nothing is
   * lost. The queues stay open until `onApplicationShutdown`: the HTTP server is
   * closed in between, and the requests it is finishing may still queue jobs.
   * @nestjs/bull's own close of each queue is replaced by that one, which is
   * bounded: Bull's pause and close wait on Redis with no limit (its blocking
   * connection is reconnected on the way), so a process stopped during an
   * outage never exited.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    for (const queue of queues) Object.assign(queue, { onApplicationShutdown: () => undefined });
    if (!this.consumes) return;
    // Without Redis nothing running can be marked done: no drain; the jobs are retried once it is back.
    if (!this.connected(queues) || !(await this.health()).ok) return;
    const paused = await settlesWithin(Promise.allSettled(queues.map((q) => q.pause(true, true))), CLOSE_MS);
    const drained = paused && (await settlesWithin(Promise.allSettled(queues.map((q) => q.whenCurrentJobsFinished())), this.config.drainMs));
    if (!drained) this.logger.warn({ drainMs: this.config.drainMs }, 'Jobs still running at shutdown: leaving them to be retried once their lock lapses');
  }

  /** Closes every queue (@nestjs/bull's and the producer-only ones), in bounded time. */
  async onApplicationShutdown(): Promise<void> {
    const queues = [...this.queues.values()];
    if (!this.connected(queues)) return this.dropConnections(queues, 'Redis is not connected at shutdown');
    // The running jobs were waited for already: close(true) does not wait for them again.
    if (!(await settlesWithin(Promise.allSettled(queues.map((q) => q.close(true))), CLOSE_MS))) {
      this.dropConnections(queues, `Queues not closed within ${CLOSE_MS} ms`);
    }
  }

  /** Each queue's command connection is up (its blocking one is reconnected by a pause). */
  private connected(queues: Queue[]): boolean {
    return queues.every((q) => q.client.status === 'ready');
  }

  private dropConnections(queues: Queue[], reason: string): void {
    this.logger.warn({ reason }, 'Dropping the queue connections: running jobs are retried once their lock lapses');
    for (const queue of queues) {
      const bull = queue as unknown as BullQueueInternals;
      // Bull's fetch loop would otherwise arm its retry timer again on every failed fetch.
      bull.closing ??= Promise.resolve();
      // Its timers (stalled jobs, delayed jobs, the fetch loop's retries) would go on calling Redis.
      void bull._clearTimers();
      for (const client of queue.clients) client.disconnect();
    }
  }

  /** Jobs waiting, delayed (not counting the next run of a repeatable job) or running. */
  private async busy(): Promise<number> {
    let total = 0;
    for (const [name, queue] of this.queues) {
      const c = await queue.getJobCounts();
      let delayed = c.delayed;
      if (delayed && this.repeats.has(name)) delayed = (await queue.getDelayed()).filter((j) => !j.opts.repeat).length;
      total += c.waiting + c.active + delayed;
    }
    return total;
  }

  private jobOptions(options: JobOptions): BullJobOptions {
    return {
      ...(options.attempts ? { attempts: options.attempts } : {}),
      delay: options.delayMs,
      jobId: options.jobId,
      // A job with an id stands for work the database records: once it fails for good it must
      // not block the recovery sweep from queueing that work again under the same id.
      ...(options.jobId ? { removeOnFail: true } : {}),
    };
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`No queue "${name}": declare it with JobsModule.forFeature() in the module that owns it`);
    return queue;
  }
}

/** Bull 4's own parts of `close()` (close itself first waits on Redis). */
interface BullQueueInternals {
  _clearTimers(): Promise<void>;
  /** Set by close(); Bull's fetch loop stops retrying once it is. */
  closing?: Promise<void>;
}
