/**
 * The payload of every job, by job name. Each module adds its own jobs by
 * declaration merging, beside the processor that runs them:
 *
 *   declare module '../jobs/job-payloads' {
 *     interface JobPayloads { 'mail.send': { mailId: string } }
 *   }
 *
 * so `jobs.enqueue('mail.send', { mailId })` type-checks and a wrong payload
 * does not compile. Payloads carry ids only: they may sit in Redis.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobPayloads {}

export type JobName = Extract<keyof JobPayloads, string>;

/**
 * What a handler receives: a Bull job with Redis, its in-process twin without.
 * Only the fields both provide.
 */
export interface QueuedJob<T> {
  id: string | number;
  name: string;
  data: T;
  /** Attempts made before this one. */
  attemptsMade: number;
  opts: { attempts?: number };
}

export type JobOf<N extends JobName> = QueuedJob<JobPayloads[N]>;

/** Whether this run is the job's last attempt (then a handler records the failure for good). */
export function isLastAttempt(job: QueuedJob<unknown>): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
