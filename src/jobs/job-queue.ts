import { JobName, JobPayloads } from './job-payloads';

/**
 * The queue port every module uses. With REDIS_URL it is backed by Bull
 * (@nestjs/bull queues shared by every API and worker process); without, the
 * same decorated handlers run in-process. Payloads carry ids only.
 */
export interface JobOptions {
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number;
  /**
   * Deduplicates: a job with an id already waiting, delayed, active (or, with Bull,
   * completed and still kept) is not added again. Such jobs describe work the
   * database records, so a job of this kind that fails for good is not kept:
   * the database alone decides whether the recovery sweep queues it again.
   */
  jobId?: string;
  /**
   * With `jobId`: a finished job kept under that id (Bull keeps completed jobs
   * for the dashboard) is removed first, so the work runs again. For work the
   * database has reopened (a failed mail that staff retry).
   */
  again?: boolean;
  attempts?: number;
}

export interface QueueHealth {
  ok: boolean;
  error?: string;
}

/** How many jobs of one queue are in each state (metrics, dashboards). */
export interface QueueCounts {
  queue: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/**
 * A queue as the dashboard receives it: with Redis, the Bull queue itself. Opaque
 * here so that only bull-job-queue.ts depends on bull.
 */
export interface InspectableQueue {
  readonly name: string;
}

export const DEFAULT_ATTEMPTS = 5;

export function backoffDelay(attempt: number, base: number): number {
  // attempt is the number of the attempt that just failed (1-based).
  return base * 2 ** (attempt - 1);
}

/** Whether `work` settles within `ms` (it is not cancelled either way). */
export async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export abstract class JobQueue {
  abstract readonly kind: 'bull' | 'in-process';

  /** Whether this process runs jobs (the in-process queue always does; Bull with RUN_WORKERS). */
  abstract readonly consumes: boolean;

  abstract enqueue<N extends JobName>(name: N, data: JobPayloads[N], options?: JobOptions): Promise<void>;

  abstract enqueueMany<N extends JobName>(name: N, jobs: Array<{ data: JobPayloads[N]; options?: JobOptions }>): Promise<void>;

  /**
   * A repeatable job. With Bull it is stored once in Redis whatever the number of
   * processes declaring it, and a schedule with another interval (the setting
   * changed) is removed, so exactly one schedule runs.
   */
  abstract repeat(name: JobName, everyMs: number): Promise<void>;

  /**
   * Removes the jobs of `name` not yet started (waiting or delayed) whose payload
   * matches: work that must not happen any more (a person's data erased). With
   * Bull, the finished jobs it keeps in Redis (completed, failed) go too: their
   * payload names the person. Returns how many were removed.
   */
  abstract purge<N extends JobName>(name: N, match: (data: JobPayloads[N]) => boolean): Promise<number>;

  /** Job counts per queue: read from Redis with Bull (the same for every process), from memory in-process. */
  abstract counts(): Promise<QueueCounts[]>;

  /** The Bull queues behind this port, for the queue dashboard; none in-process. */
  abstract inspectableQueues(): readonly InspectableQueue[];

  /** Redis health; null when there is no Redis (in-process mode). */
  abstract health(): Promise<QueueHealth | null>;

  /**
   * Resolves once no job is waiting, delayed (a retry's backoff included) or
   * running, in any queue. Tests wait for it, then assert.
   */
  abstract idle(timeoutMs?: number): Promise<void>;
}
