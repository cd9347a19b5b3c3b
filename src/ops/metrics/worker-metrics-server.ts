import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Metrics } from '../../common/metrics';
import { opsConfig } from '../../config/configuration';
import { metricsTokenMatches } from './metrics-token';

/**
 * A worker process has no HTTP server, yet it is where mails are sent and import
 * rows processed: with METRICS_TOKEN set, it serves its own `/metrics` (same
 * token) on METRICS_PORT, so Prometheus scrapes every process.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: Metrics,
    @Inject(opsConfig.KEY) private readonly config: ConfigType<typeof opsConfig>,
  ) {}

  /** Listens when METRICS_TOKEN is set; resolves with the port, or null. */
  async start(): Promise<number | null> {
    const token = this.config.metricsToken;
    if (!token) return null;
    const server = createServer((req, res) => {
      const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(body);
      };
      if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
        return answer(404, JSON.stringify({ statusCode: 404, code: 'NOT_FOUND', message: 'Not found' }));
      }
      if (!metricsTokenMatches(req.headers.authorization, token)) {
        return answer(401, JSON.stringify({ statusCode: 401, code: 'UNAUTHORIZED', message: 'A valid metrics token is required' }), {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        });
      }
      this.metrics.text().then(
        (text) => answer(200, text, { 'Content-Type': this.metrics.contentType }),
        () => answer(500, JSON.stringify({ statusCode: 500, code: 'INTERNAL_ERROR', message: 'Could not collect the metrics' })),
      );
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.metricsPort, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    this.logger.log({ port }, `Metrics on port ${port} at /metrics`);
    return port;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
