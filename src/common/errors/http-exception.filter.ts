import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { JSON_TOO_DEEP } from '../http/hostile-input';
import { AppError } from './app-error';
import { isRedisUnavailable } from './db-errors';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details?: unknown;
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Errors raised by Express middleware (body-parser, multer) before Nest sees the request. */
interface MiddlewareError {
  type?: string;
  status?: number;
  statusCode?: number;
  code?: string;
  expose?: boolean;
}

/**
 * Shapes every error as the contract says: `{ statusCode, code, message, details? }`.
 * Expected errors pass through with their code; anything else becomes a 500 with
 * a generic message, and is logged with the request id so ops can find it.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  /** `elsewhere`: paths outside `/api` that answer errors in a shape of their own (SCIM's under `/scim/`). */
  constructor(private readonly elsewhere: ReadonlyArray<{ pathPrefix: string; filter: ExceptionFilter }> = []) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const other = this.elsewhere.find((e) => req.path?.startsWith(e.pathPrefix));
    if (other) {
      other.filter.catch(exception, host);
      return;
    }
    const { body, headers } = this.toBody(exception, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    res.status(body.statusCode).json(body);
  }

  toBody(exception: unknown, req?: Request & { id?: string }): { body: ErrorBody; headers?: Record<string, string> } {
    if (exception instanceof AppError) {
      const body: ErrorBody = { statusCode: exception.status, code: exception.code, message: exception.message };
      if (exception.details !== undefined) body.details = exception.details;
      return { body, headers: exception.headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      let code = DEFAULT_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'ERROR');
      if (typeof response === 'object' && response !== null) {
        const r = response as { message?: unknown; code?: unknown };
        if (typeof r.message === 'string') message = r.message;
        else if (Array.isArray(r.message)) message = r.message.join('; ');
        if (typeof r.code === 'string') code = r.code;
      }
      if (status === 404 && /^Cannot (GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)/.test(message)) {
        code = 'ROUTE_NOT_FOUND';
        message = `No route ${req?.method ?? ''} ${req?.path ?? ''}`.trim();
      }
      // @nestjs/throttler's message is its class name ("ThrottlerException: Too Many Requests").
      if (status === 429 && !(typeof response === 'object' && response !== null && 'code' in response)) {
        message = 'Too many requests; try again after the Retry-After delay (seconds)';
      }
      // Multer answers an oversized upload with 413; keep the contract's code for it.
      if (status === 413) code = 'FILE_TOO_LARGE';
      // Nest maps body-parser's SyntaxError to a bare BadRequestException carrying the parser's message.
      if (status === 400 && /\bJSON\b/.test(message) && !(typeof response === 'object' && 'code' in response)) {
        code = 'MALFORMED_JSON';
        message = 'The request body is not valid JSON';
      }
      if (status >= 500) this.logUnexpected(exception, req);
      return { body: { statusCode: status, code, message: status >= 500 ? 'Internal server error' : message } };
    }
    const mw = exception as MiddlewareError | undefined;
    const mwStatus = mw?.status ?? mw?.statusCode;
    if (mw && typeof mwStatus === 'number' && mwStatus >= 400 && mwStatus < 500) {
      if (mw.type === JSON_TOO_DEEP && exception instanceof Error) {
        return { body: { statusCode: 400, code: 'MALFORMED_JSON', message: exception.message } };
      }
      if (mw.type === 'entity.parse.failed') {
        return { body: { statusCode: 400, code: 'MALFORMED_JSON', message: 'The request body is not valid JSON' } };
      }
      if (mw.type === 'entity.too.large') {
        return { body: { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' } };
      }
      return {
        body: {
          statusCode: mwStatus,
          code: DEFAULT_CODES[mwStatus] ?? 'BAD_REQUEST',
          message: mw.expose && exception instanceof Error ? exception.message : 'The request could not be processed',
        },
      };
    }
    if (isRedisUnavailable(exception)) {
      this.logger.warn({ requestId: req?.id, method: req?.method, path: req?.path, error: (exception as Error).message }, 'Redis unavailable');
      return {
        body: { statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: 'A service this request needs is unavailable; try again in a few seconds' },
        headers: { 'Retry-After': '5' },
      };
    }
    this.logUnexpected(exception, req);
    return { body: { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'Internal server error' } };
  }

  private logUnexpected(exception: unknown, req?: Request & { id?: string }) {
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(
      { err: { name: err.name, message: err.message, stack: err.stack }, requestId: req?.id, method: req?.method, path: req?.path },
      'Unhandled error',
    );
  }
}
