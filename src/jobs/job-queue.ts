/**
 * The queue port every module uses. With REDIS_URL it is backed by Bull (shared
 * by every API and worker process); without, the same handlers run in-process.
 * Payloads carry ids only: they may sit in Redis, so never a secret.
 */
export interface JobMeta {
  id: string;
  name: string;
  /** 1-based number of this attempt. */
  attempt: number;
  /** Attempts allowed in all: the last one is `attempt === attempts`. */
  attempts: number;
}

export type JobHandler<T = unknown> = (data: T, meta: JobMeta) => Promise<void>;

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
  attempts?: number;
}

export interface HandlerOptions {
  concurrency?: number;
}

export interface QueueHealth {
  ok: boolean;
  error?: string;
}

export const DEFAULT_ATTEMPTS = 5;
export const BACKOFF_BASE_MS = 1000;

export function backoffDelay(attempt: number, base = BACKOFF_BASE_MS): number {
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

  /** Declares the handler of a job name. Call from a constructor or onModuleInit. */
  abstract register<T>(name: string, handler: JobHandler<T>, options?: HandlerOptions): void;

  abstract enqueue<T>(name: string, data: T, options?: JobOptions): Promise<void>;

  abstract enqueueMany<T>(name: string, jobs: Array<{ data: T; options?: JobOptions }>): Promise<void>;

  /**
   * A repeatable job. With Bull it is stored once in Redis whatever the number of
   * processes declaring it, so several instances never repeat the work.
   */
  abstract repeat(name: string, everyMs: number): Promise<void>;

  /** Redis health; null when there is no Redis (in-process mode). */
  abstract health(): Promise<QueueHealth | null>;

  /**
   * Resolves once no job is waiting, delayed (a retry's backoff included) or
   * running, in any queue this process knows. Tests wait for it, then assert.
   */
  abstract idle(timeoutMs?: number): Promise<void>;

  /** Whether this process runs jobs (the in-process queue always does; Bull with RUN_WORKERS). */
  abstract readonly consumes: boolean;
}
