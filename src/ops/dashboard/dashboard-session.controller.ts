import { Controller, Delete, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DASHBOARD_SESSION_TTL_SECONDS } from '../../auth/auth.constants';
import type { AuthUser } from '../../auth/auth.types';
import { Auth } from '../../auth/decorators/auth.decorator';
import { CurrentUser } from '../../auth/decorators/current-user.decorator';
import { Public } from '../../common/decorators/public.decorator';
import { DASHBOARD_COOKIE, DashboardAccess } from './dashboard-access.service';

const COOKIE_HEADER = {
  'Set-Cookie': {
    description: `\`${DASHBOARD_COOKIE}=…; Path=/admin; Max-Age=${DASHBOARD_SESSION_TTL_SECONDS}; HttpOnly; SameSite=Strict\` (and \`Secure\` over HTTPS)`,
    schema: { type: 'string' },
  },
};

@ApiTags('admin')
@Controller('admin/dashboard/session')
export class DashboardSessionController {
  constructor(private readonly access: DashboardAccess) {}

  @Post()
  @HttpCode(204)
  @Auth({ staff: true })
  @ApiOperation({
    operationId: 'openDashboardSession',
    summary: 'Open the queue dashboard (/admin/queues) in this browser (staff)',
    description:
      'A browser sends no bearer token, so the dashboard at `/admin/queues` (Bull Board) is entered with a cookie: this exchanges the ' +
      `caller's access token for a ${DASHBOARD_SESSION_TTL_SECONDS / 60}-minute session cookie, HttpOnly, SameSite=Strict, scoped to \`/admin\` ` +
      '(never sent to `/api`). Every dashboard request checks it and reads the account again: staff only. The page `/admin/sign-in` does ' +
      'this from an email and password; from this console, "Try it out" here, then open `/admin/queues` in the same browser. ' +
      'Retrying, removing and promoting jobs and pausing queues are the only writes allowed there, each recorded in the audit log ' +
      '(`queue.*` actions).',
  })
  @ApiNoContentResponse({ description: 'The session cookie is set', headers: COOKIE_HEADER })
  open(@CurrentUser() user: AuthUser, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    return this.access.open(user, req, res);
  }

  @Delete()
  @HttpCode(204)
  @Public()
  @ApiOperation({ operationId: 'closeDashboardSession', summary: 'Close the queue dashboard session of this browser (clears its cookie)' })
  @ApiNoContentResponse({ description: 'The cookie is cleared' })
  close(@Res({ passthrough: true }) res: Response): void {
    this.access.close(res);
  }
}
