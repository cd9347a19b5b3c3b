import { boardAction } from './board-actions';

describe('boardAction (the dashboard writes staff may make)', () => {
  it('names the audited actions on jobs and queues', () => {
    expect(boardAction('PUT', '/api/queues/mail.send/42/retry')).toEqual({ action: 'queue.job_retried', queue: 'mail.send', jobId: '42' });
    expect(boardAction('PUT', '/api/queues/imports.chunk/b%3A1/clean')).toEqual({ action: 'queue.job_removed', queue: 'imports.chunk', jobId: 'b:1' });
    expect(boardAction('PUT', '/api/queues/mail.send/7/promote')).toEqual({ action: 'queue.job_promoted', queue: 'mail.send', jobId: '7' });
    expect(boardAction('PUT', '/api/queues/mail.send/retry/failed')).toEqual({ action: 'queue.jobs_retried', queue: 'mail.send', status: 'failed' });
    expect(boardAction('PUT', '/api/queues/mail.send/clean/completed?x=1')).toEqual({ action: 'queue.jobs_removed', queue: 'mail.send', status: 'completed' });
    expect(boardAction('PUT', '/api/queues/mail.send/pause')).toEqual({ action: 'queue.paused', queue: 'mail.send' });
    expect(boardAction('PUT', '/api/queues/resume')).toEqual({ action: 'queue.all_resumed', queue: '*' });
  });

  it('refuses every other write: adding or editing jobs, emptying or obliterating queues', () => {
    for (const [method, path] of [
      ['POST', '/api/queues/mail.send/add'],
      ['PATCH', '/api/queues/mail.send/1/update-data'],
      ['PUT', '/api/queues/mail.send/empty'],
      ['PUT', '/api/queues/mail.send/obliterate'],
      ['PUT', '/api/queues/mail.send/concurrency'],
      ['PUT', '/api/queues/mail.send/job-schedulers/x/run'],
      ['POST', '/api/metrics/history/purge'],
      ['PUT', '/api/queues/mail.send/%E0%A4%A/retry'],
      ['PUT', '/static/x/y/retry'],
      // In bulk, only finished jobs: waiting, delayed or active work is never dropped.
      ['PUT', '/api/queues/mail.send/clean/waiting'],
      ['PUT', '/api/queues/mail.send/clean/delayed'],
      ['PUT', '/api/queues/imports.chunk/clean/active'],
      ['PUT', '/api/queues/imports.chunk/clean/paused'],
      ['PUT', '/api/queues/mail.send/retry/waiting'],
    ]) {
      expect(boardAction(method, path)).toBeNull();
    }
  });
});
