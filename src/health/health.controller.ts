import { ApiErrors } from '../common/openapi/api-errors.decorator';
import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/decorators/public.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process is up' })
  @ApiOkResponse({
    schema: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } }, example: { status: 'ok' } },
  })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiErrors('NOT_READY')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the database (and Redis, where configured) answer' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['status', 'checks'],
      properties: {
        status: { type: 'string', enum: ['ok'] },
        checks: {
          type: 'object',
          description: 'One entry per dependency: `database`, and `redis` where configured',
          additionalProperties: { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['up', 'down'] } } },
        },
      },
      example: { status: 'ok', checks: { database: { status: 'up' }, redis: { status: 'up' } } },
    },
  })
  async ready(@Res({ passthrough: true }) res: Response) {
    const result = await this.health.check();
    if (result.status === 'ok') return result;
    const failed = Object.entries(result.checks)
      .filter(([, c]) => c.status === 'down')
      .map(([name]) => name);
    res.status(503);
    return { statusCode: 503, code: 'NOT_READY', message: `Not ready: ${failed.join(', ')} down`, details: result.checks };
  }
}
