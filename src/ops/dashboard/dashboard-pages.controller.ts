import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator';
import { escapeHtml, htmlPage, sendPage, signInForm, STATUS_LINE } from '../pages/html';
import { JobQueue } from '../../jobs/job-queue';

/** The dashboard's sign-in page: an email and password become a dashboard session (pages.js). */
@ApiExcludeController()
@Public()
@Controller('admin/sign-in')
export class DashboardSignInController {
  @Get()
  page(@Res() res: Response): void {
    const body = `<p>Sign in with a platform staff account to open the queue dashboard.</p>
${signInForm()}
${STATUS_LINE}`;
    sendPage(res, 200, htmlPage('dashboard-sign-in', 'Queue dashboard', body));
  }
}

/** Without REDIS_URL there are no Bull queues to show: the dashboard says where jobs run instead. */
@ApiExcludeController()
@Public()
@Controller('admin/queues')
export class InProcessQueuesController {
  constructor(private readonly jobs: JobQueue) {}

  @Get()
  async page(@Res() res: Response): Promise<void> {
    const rows = (await this.jobs.counts())
      .sort((a, b) => a.queue.localeCompare(b.queue))
      .map((c) => `<tr><td>${escapeHtml(c.queue)}</td><td>${c.waiting}</td><td>${c.delayed}</td><td>${c.active}</td><td>${c.failed}</td></tr>`);
    const body = `<p id="in-process">Jobs run in-process: REDIS_URL is not set, so this API process runs every job itself, in memory, and there
are no Bull queues to show. Set REDIS_URL to run them on Redis, shared by every API and worker process, and see them here.</p>
<table><thead><tr><th>Jobs</th><th>Waiting</th><th>Delayed</th><th>Running</th><th>Failed since start</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
    sendPage(res, 200, htmlPage('queues-in-process', 'Queue dashboard', body));
  }
}
