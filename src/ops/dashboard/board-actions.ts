/** A write the queue dashboard may make, as the audit trail records it. */
export interface BoardAction {
  action: string;
  queue: string;
  jobId?: string;
  status?: string;
}

/**
 * The writes of Bull Board's API (paths relative to the dashboard) that staff
 * may make: retrying, removing and promoting jobs, pausing and resuming queues
 * (in bulk, only finished jobs: completed or failed).
 * Anything else that writes (adding or editing a job's data, emptying or
 * obliterating a queue…) is refused: payloads carry ids the database trusts.
 */
const FINISHED = new Set(['completed', 'failed']);

export function boardAction(method: string, path: string): BoardAction | null {
  if (method !== 'PUT') return null;
  let parts: string[];
  try {
    parts = path.split('?')[0].split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return null;
  }
  if (parts[0] !== 'api' || parts[1] !== 'queues') return null;
  const p = parts.slice(2);
  if (p.length === 1 && (p[0] === 'pause' || p[0] === 'resume')) return { action: `queue.all_${p[0]}d`, queue: '*' };
  if (p.length === 2) {
    const [queue, verb] = p;
    if (verb === 'pause') return { action: 'queue.paused', queue };
    if (verb === 'resume') return { action: 'queue.resumed', queue };
    if (verb === 'promote') return { action: 'queue.jobs_promoted', queue };
    return null;
  }
  if (p.length !== 3) return null;
  const [queue, second, third] = p;
  // Bulk retries and cleans only touch finished jobs: cleaning waiting, delayed or active
  // jobs would drop work (mails, import chunks) that nothing else would redo.
  if (second === 'retry' || second === 'clean') {
    if (!FINISHED.has(third)) return null;
    return { action: second === 'retry' ? 'queue.jobs_retried' : 'queue.jobs_removed', queue, status: third };
  }
  if (third === 'retry') return { action: 'queue.job_retried', queue, jobId: second };
  if (third === 'clean') return { action: 'queue.job_removed', queue, jobId: second };
  if (third === 'promote') return { action: 'queue.job_promoted', queue, jobId: second };
  return null;
}
