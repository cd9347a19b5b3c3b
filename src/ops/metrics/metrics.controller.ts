import { ApiErrors } from '../../common/openapi/api-errors.decorator';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../../common/decorators/public.decorator';
import { AppError } from '../../common/errors/app-error';
import { Metrics } from '../../common/metrics';
import { opsConfig } from '../../config/configuration';
import { metricsTokenMatches } from './metrics-token';

/** Registered only when METRICS_TOKEN is set: otherwise `/metrics` does not exist (404). */
@ApiTags('operations')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(opsConfig.KEY) private readonly config: ConfigType<typeof opsConfig>,
  ) {}

  @Get()
  @ApiBearerAuth('metrics')
  @ApiProduces('text/plain')
  @ApiErrors('UNAUTHORIZED', 'NOT_FOUND')
  @ApiOperation({
    operationId: 'getMetrics',
    summary: 'Prometheus metrics of this process (bearer METRICS_TOKEN; 404 when it is unset)',
    description:
      'HTTP requests by route template, method and status (`http_request_duration_seconds`), jobs per queue and state (`oktonine_queue_jobs`, ' +
      'read from Redis), import rows by outcome, mails sent and failed by template, logins by outcome, and process metrics. ' +
      'Each API and worker process exposes its own (workers on `METRICS_PORT`).',
  })
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    if (!metricsTokenMatches(authorization, this.config.metricsToken ?? '')) {
      throw new AppError(401, 'UNAUTHORIZED', 'A valid metrics token is required', undefined, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    res.setHeader('Content-Type', this.metrics.contentType);
    // A Buffer, so Express leaves the exposition format's content type as it is.
    res.send(Buffer.from(await this.metrics.text()));
  }
}
