import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Metrics } from '../../common/metrics';

/** Paths answered by middleware (no Express route): labelled by their mount, never by the raw URL. */
const MOUNTS = ['/admin/queues', '/docs'];

/**
 * The route template of a request (`/api/users/:userId`), so no id or token ever
 * becomes a label: one series per route, not per URL. Requests no route
 * matched (404s, scanners) share one label.
 */
export function routeTemplate(req: Request): string {
  const route: unknown = req.route;
  const path = route && typeof route === 'object' && 'path' in route ? route.path : undefined;
  if (typeof path === 'string') {
    const template = `${req.baseUrl}${path}`;
    const mount = MOUNTS.find((m) => req.originalUrl.startsWith(m) && !template.startsWith(m));
    return mount ? `${mount}${template}` : template;
  }
  const url = req.originalUrl.split('?')[0];
  const mount = MOUNTS.find((m) => url === m || url.startsWith(`${m}/`));
  return mount ? `${mount}/*` : 'unmatched';
}

/** HTTP requests by route template, method and status, with their durations. */
@Injectable()
export class HttpMetrics {
  private readonly duration;

  constructor(metrics: Metrics) {
    this.duration = metrics.histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP requests by route template, method and status code, and how long they took',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    });
  }

  /** Installed first (configureApp), so it times everything, rejected requests included. */
  middleware(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const end = this.duration.startTimer();
      res.once('finish', () => end({ method: req.method, route: routeTemplate(req), status_code: String(res.statusCode) }));
      next();
    };
  }
}
