/**
 * The queue port every module uses. With REDIS_URL it is backed by Bull (shared
 * by every API and worker process); without, the same handlers run in-process.
 * Payloads carry ids only: they may sit in Redis, so never a secret.
 */
export interface JobMeta {
  id: string;
  name: string;
  attempt: number;
}

export type JobHandler<T = unknown> = (data: T, meta: JobMeta) => Promise<void>;

export interface JobOptions {
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number;
  /** Deduplicates: a job with an id already waiting or active is not added again (Bull semantics). */
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
}
