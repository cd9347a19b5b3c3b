import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one error type services throw. `code` is the stable machine code of the
 * contract (UPPER_SNAKE); the global filter turns it into the response body.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.BAD_REQUEST, code, message, details);
  }

  static validation(details: FieldError[], message = 'The request is invalid') {
    return new AppError(HttpStatus.BAD_REQUEST, 'VALIDATION_FAILED', message, details);
  }

  static unauthorized(code = 'UNAUTHORIZED', message = 'Authentication is required') {
    return new AppError(HttpStatus.UNAUTHORIZED, code, message);
  }

  static forbidden(code = 'FORBIDDEN', message = 'You are not allowed to do this') {
    return new AppError(HttpStatus.FORBIDDEN, code, message);
  }

  static notFound(code = 'NOT_FOUND', message = 'Not found') {
    return new AppError(HttpStatus.NOT_FOUND, code, message);
  }

  static conflict(code: string, message: string, details?: unknown) {
    return new AppError(HttpStatus.CONFLICT, code, message, details);
  }
}
